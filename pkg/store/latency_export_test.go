package store

// SetLatencySample lowers the percentile sample bound for a test; the returned func restores it.
func SetLatencySample(n int) (restore func()) {
	old := latencySample
	latencySample = n
	return func() { latencySample = old }
}
