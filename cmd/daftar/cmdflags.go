package main

import (
	"strconv"
	"strings"
)

// splitArgs separates a subcommand's own flags (own: name → whether it is a
// switch that takes no value) and positional arguments from the rest,
// which are the configuration's flags (--database-url and the like).
func splitArgs(args []string, own map[string]bool) (vals map[string]string, positional, rest []string, err error) {
	vals = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		name, inline, hasInline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		isSwitch, mine := own[name]
		switch {
		case mine && isSwitch:
			vals[name] = "true"
			if hasInline {
				vals[name] = inline
			}
		case mine:
			if !hasInline {
				if i+1 >= len(args) {
					return nil, nil, nil, usageErr("--%s needs a value", name)
				}
				i++
				inline = args[i]
			}
			vals[name] = inline
		default:
			rest = append(rest, a)
			if !hasInline && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && name != "h" && name != "help" && !isConfigSwitch(name) {
				i++
				rest = append(rest, args[i])
			}
		}
	}
	return vals, positional, rest, nil
}

// isConfigSwitch reports whether a configuration flag is a switch (it
// takes no separate value).
func isConfigSwitch(name string) bool {
	for _, s := range settings() {
		if s.flag == name {
			return s.def == "true" || s.def == "false"
		}
	}
	return false
}

// switchValue reads a switch of splitArgs: absent is false; bare is true;
// --name=false and the like as strconv.ParseBool reads them.
func switchValue(vals map[string]string, name string) (bool, error) {
	v, ok := vals[name]
	if !ok {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, usageErr("--%s is a switch: give it bare, or =true or =false", name)
	}
	return b, nil
}
