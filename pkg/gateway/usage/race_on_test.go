//go:build race

package usage

// raceEnabled: under the race detector sync.Pool drops a share of what is put back (sonic keeps
// its parser state in one), so allocation budgets only hold in normal builds.
const raceEnabled = true
