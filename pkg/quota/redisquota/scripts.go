package redisquota

import (
	_ "embed"

	"github.com/redis/go-redis/v9"
)

var (
	//go:embed lua/lib.lua
	luaLib string
	//go:embed lua/acquire.lua
	luaAcquire string
	//go:embed lua/settle.lua
	luaSettle string
	//go:embed lua/load.lua
	luaLoad string
	//go:embed lua/usage.lua
	luaUsage string
)

// The scripts, each prefixed with the shared library. They run with EVALSHA (the digest is
// computed here); a server that lost its script cache gets EVAL once.
var (
	scriptAcquire = redis.NewScript(luaLib + luaAcquire)
	scriptSettle  = redis.NewScript(luaLib + luaSettle)
	scriptLoad    = redis.NewScript(luaLib + luaLoad)
	scriptUsage   = redis.NewScript(luaLib + luaUsage)
)
