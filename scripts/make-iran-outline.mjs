#!/usr/bin/env node
// Writes api/chart/outline/iran.json: the outline of Iran (Natural Earth via the
// npm package world-atlas, public domain) as rings of [lon, lat] in degrees.
// Run by hand when the outline should change; the build never runs it:
//
//   cd "$(mktemp -d)" && npm pack world-atlas && tar xzf world-atlas-*.tgz
//   node /path/to/daftar/scripts/make-iran-outline.mjs package/countries-50m.json \
//     > /path/to/daftar/api/chart/outline/iran.json
//
// The TopoJSON is decoded here (quantised, delta-encoded arcs) so that no
// package has to be installed. Points are rounded to 0.01 degree (about 1 km,
// far below a pixel of a phone-sized map) and thinned with Douglas-Peucker at
// the same tolerance; islands smaller than the tolerance are dropped.
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: make-iran-outline.mjs countries-50m.json > iran.json");
  process.exit(2);
}
const ID = "364"; // ISO 3166-1 numeric code of Iran
const TOL = 0.01;

const topo = JSON.parse(readFileSync(file, "utf8"));
const [sx, sy] = topo.transform.scale;
const [tx, ty] = topo.transform.translate;

// Absolute coordinates of every arc.
const arcs = topo.arcs.map((arc) => {
  let x = 0, y = 0;
  return arc.map(([dx, dy]) => {
    x += dx; y += dy;
    return [x * sx + tx, y * sy + ty];
  });
});

function ring(indexes) {
  const out = [];
  for (const i of indexes) {
    const a = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
    // Consecutive arcs share their joining point.
    out.push(...(out.length ? a.slice(1) : a));
  }
  return out;
}

function simplify(pts, tol) {
  if (pts.length < 3) return pts;
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  const stack = [[0, pts.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = pts[a], [bx, by] = pts[b];
    const dx = bx - ax, dy = by - ay, len = Math.hypot(dx, dy);
    let worst = -1, at = -1;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = pts[i];
      const d = len === 0 ? Math.hypot(px - ax, py - ay)
        : Math.abs(dy * px - dx * py + bx * ay - by * ax) / len;
      if (d > worst) { worst = d; at = i; }
    }
    if (worst > tol) { keep[at] = 1; stack.push([a, at], [at, b]); }
  }
  return pts.filter((_, i) => keep[i]);
}

const round = (v) => Math.round(v * 100) / 100;
const geom = topo.objects.countries.geometries.find((g) => g.id === ID);
if (!geom) throw new Error(`no country with id ${ID} in ${file}`);
const polygons = geom.type === "Polygon" ? [geom.arcs] : geom.arcs;

const rings = [];
for (const poly of polygons) {
  // Only the outer ring: Iran has no holes worth drawing at this size.
  let pts = simplify(ring(poly[0]), TOL).map(([x, y]) => [round(x), round(y)]);
  pts = pts.filter((p, i) => i === 0 || p[0] !== pts[i - 1][0] || p[1] !== pts[i - 1][1]);
  if (pts.length >= 4) rings.push(pts);
}
rings.sort((a, b) => b.length - a.length);

const out = {
  source: `Natural Earth ${file.includes("110m") ? "1:110m" : file.includes("10m") ? "1:10m" : "1:50m"} admin 0 countries, via the npm package world-atlas`,
  licence: "public domain (Natural Earth); world-atlas is ISC",
  id: ID,
  rings,
};
// One ring per line keeps the file small and its diffs readable.
process.stdout.write(
  "{" +
    `"source":${JSON.stringify(out.source)},\n"licence":${JSON.stringify(out.licence)},\n"id":"${ID}",\n"rings":[\n` +
    rings.map((r) => JSON.stringify(r)).join(",\n") +
    "\n]}\n",
);
console.error(`${rings.length} ring(s), ${rings.reduce((n, r) => n + r.length, 0)} points`);
