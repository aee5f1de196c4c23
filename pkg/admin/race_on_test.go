//go:build race

package admin

// raceEnabled: the race detector slows everything several times; timing budgets do not apply.
const raceEnabled = true
