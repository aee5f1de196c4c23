package redisquota

import "syscall"

// SIGSTOP/SIGCONT pause a redis-server without losing its data: an unreachable Redis.
var (
	stopSignal = syscall.SIGSTOP
	contSignal = syscall.SIGCONT
)
