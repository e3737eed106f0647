#!/usr/bin/env node
// Writes internal/accounts/common_passwords.txt: passwords of at least 10
// characters (the shortest Daftar takes) that guessing tools try first, one a
// line, lowercase, sorted. Run by hand when the list should change; the build
// never runs it:
//
//   cd "$(mktemp -d)" && npm pack zxcvbn@4.4.2 && tar xzf zxcvbn-*.tgz
//   node /path/to/daftar/scripts/make-common-passwords.mjs package/lib/frequency_lists.js \
//     > /path/to/daftar/internal/accounts/common_passwords.txt
//
// The source is the "passwords" frequency list of the npm package zxcvbn
// 4.4.2 (MIT), which its authors drew from Mark Burnett's corpus of ten
// million passwords, released by him into the public domain: 30,000
// passwords, most common first. The list keeps every one of 10 characters
// or more, and adds what people make of the 60 most common when a site
// asks for 10 characters: the word followed by the usual digits, years and
// marks ("dragon1234", "password2024!").
import { createRequire } from "node:module";

const file = process.argv[2];
if (!file) {
  console.error("usage: make-common-passwords.mjs frequency_lists.js > common_passwords.txt");
  process.exit(2);
}
const lists = createRequire(import.meta.url)(file);
const passwords = Array.isArray(lists.passwords) ? lists.passwords : String(lists.passwords).split(",");

const MIN = 10;
const out = new Set();
const keep = (p) => {
  p = p.toLowerCase();
  if ([...p].length >= MIN && [...p].length <= 128) out.add(p);
};
passwords.forEach(keep);

const suffixes = ["1", "12", "123", "1234", "12345", "123456", "!", "123!", "@123"];
for (let y = 1990; y <= 2026; y++) suffixes.push(String(y));
for (let y = 1370; y <= 1405; y++) suffixes.push(String(y)); // Jalali years
for (const base of passwords.slice(0, 60)) {
  if ([...base].length < 4) continue;
  for (const s of suffixes) keep(base + s);
}
process.stdout.write([...out].sort().join("\n") + "\n");
