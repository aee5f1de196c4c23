package selector

import "strings"

const (
	defaultGroup = "default"
	allGroups    = "*"
)

// GroupsIntersect reports whether the caller's comma-separated group list shares a name with the
// provider's tags. It walks the string in place instead of splitting it, because it runs once
// per provider per request. An empty group list means "default" and so do empty tags, so
// providers and keys that were never given a group see each other and nothing else: groups
// are a strict isolation boundary, not a preference.
func GroupsIntersect(group string, tags []string) bool {
	rest := group
	seen := false
	for {
		var name string
		name, rest, _ = strings.Cut(rest, ",")
		name = strings.TrimSpace(name)
		if name != "" {
			seen = true
			if name == allGroups || hasTag(tags, name) {
				return true
			}
		}
		if rest == "" {
			break
		}
	}
	return !seen && hasTag(tags, defaultGroup)
}

func hasTag(tags []string, name string) bool {
	empty := true
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		empty = false
		if t == name {
			return true
		}
	}
	return empty && name == defaultGroup
}
