package redisquota

import (
	"strconv"
	"time"

	"github.com/cchub/cchub/pkg/gateway/catalog"
	"github.com/cchub/cchub/pkg/quota"
)

// keyspace names an installation's quota keys. Every key starts with one hash tag
// ("{cchub}:q:" or "{cchub:<prefix>}:q:"), so a script that checks a key, its user and a
// provider touches a single Redis Cluster slot and stays one atomic round trip.
type keyspace struct {
	p    string   // "{cchub…}:q"
	keys []string // KEYS of every script: routes it to the slot
	loc  *time.Location
}

func newKeyspace(prefix string, loc *time.Location) keyspace {
	tag := "{cchub}"
	if prefix != "" {
		tag = "{cchub:" + prefix + "}"
	}
	p := tag + ":q"
	return keyspace{p: p, keys: []string{p + ":holds"}, loc: loc}
}

// pattern matches every key of the installation (tests clean up with it).
func (ks *keyspace) pattern() string { return ks.p + ":*" }

func (ks *keyspace) base(e quota.Entity) string {
	var k string
	switch e.Kind {
	case quota.KindKey:
		k = ":k:"
	case quota.KindUser:
		k = ":u:"
	default:
		k = ":p:"
	}
	return ks.p + k + strconv.Itoa(e.ID)
}

// sig names the namespace of an entity's windows: a new cost-reset instant, daily reset time
// or time zone starts a fresh one, rebuilt from the ledger, instead of reinterpreting counters
// kept under the old rules.
func (ks *keyspace) sig(l *catalog.Limits) string {
	var cra int64
	if !l.CostResetAt.IsZero() {
		cra = l.CostResetAt.UnixMilli()
	}
	return strconv.FormatInt(cra, 10) + "|" + l.DailyResetTime + "|" + ks.loc.String()
}

// periods are the fixed daily, weekly and monthly windows at an instant, clipped by the
// cost-reset instant, in Unix ms.
type periods struct {
	ds, dr, ws, wr, ms, mr int64
}

func (ks *keyspace) periods(l *catalog.Limits, at time.Time) periods {
	fl := *l
	fl.DailyRolling = false
	d := quota.SpanOf(quota.WindowDaily, &fl, at, ks.loc, time.Time{})
	w := quota.SpanOf(quota.WindowWeekly, &fl, at, ks.loc, time.Time{})
	m := quota.SpanOf(quota.WindowMonthly, &fl, at, ks.loc, time.Time{})
	return periods{d.Start.UnixMilli(), d.Reset.UnixMilli(), w.Start.UnixMilli(), w.Reset.UnixMilli(),
		m.Start.UnixMilli(), m.Reset.UnixMilli()}
}

// group appends an entity's argument group (see lua/lib.lua) for windows at instant at.
func (ks *keyspace) group(args []any, e quota.Entity, l *catalog.Limits, sessions int, at time.Time, flag int64) []any {
	p := ks.periods(l, at)
	return append(args,
		ks.base(e), ks.sig(l),
		l.Limit5h, bit(l.Limit5hFixed), l.LimitDaily, bit(l.DailyRolling), l.LimitWeekly, l.LimitMonthly, l.LimitTotal,
		sessions, p.ds, p.dr, p.ws, p.wr, p.ms, p.mr, flag)
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
