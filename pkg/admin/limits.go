package admin

import (
	"math"
	"time"
)

// Spend limits are the same columns (SpendLimitMixin) on users, keys and providers, so they are
// read, applied and shown by one piece of code. Users call the daily limit "daily_limit_usd"
// (Claude Code Hub's name); keys and providers call it "limit_daily_usd".

const (
	dailyLimitUser  = "daily_limit_usd"
	dailyLimitOther = "limit_daily_usd"
)

func limitFields(daily string) []string {
	return []string{
		"limit_5h_usd", "limit_5h_reset_mode", daily, "daily_reset_mode", "daily_reset_time",
		"limit_weekly_usd", "limit_monthly_usd", "limit_total_usd", "limit_concurrent_sessions",
		"cost_reset_at",
	}
}

type limitsInput struct {
	L5h, Daily, Weekly, Monthly, Total opt[int64]
	Mode5h, DailyMode, DailyTime       opt[string]
	Concurrent                         opt[int64]
	CostResetAt                        opt[time.Time]
}

func readLimits(in *input, daily string) limitsInput {
	return limitsInput{
		L5h:         in.usd("limit_5h_usd"),
		Mode5h:      in.enum("limit_5h_reset_mode", "rolling", "fixed"),
		Daily:       in.usd(daily),
		DailyMode:   in.enum("daily_reset_mode", "fixed", "rolling"),
		DailyTime:   in.str("daily_reset_time", hhmm),
		Weekly:      in.usd("limit_weekly_usd"),
		Monthly:     in.usd("limit_monthly_usd"),
		Total:       in.usd("limit_total_usd"),
		Concurrent:  in.integer("limit_concurrent_sessions", 0, math.MaxInt32, false),
		CostResetAt: in.timestamp("cost_reset_at"),
	}
}

// limitsMutation is the part of ent's UserMutation, KeyMutation and ProviderMutation that the
// mixin generates; the reset-mode enums are distinct named string types per entity.
type limitsMutation[M5, MD ~string] interface {
	SetLimit5hNano(int64)
	ClearLimit5hNano()
	SetLimit5hResetMode(M5)
	SetLimitDailyNano(int64)
	ClearLimitDailyNano()
	SetDailyResetMode(MD)
	SetDailyResetTime(string)
	SetLimitWeeklyNano(int64)
	ClearLimitWeeklyNano()
	SetLimitMonthlyNano(int64)
	ClearLimitMonthlyNano()
	SetLimitTotalNano(int64)
	ClearLimitTotalNano()
	SetCostResetAt(time.Time)
	ClearCostResetAt()
	SetLimitConcurrentSessions(int)
}

// applyLimits copies the members that were present onto m: a value sets, null clears.
func applyLimits[M5, MD ~string](m limitsMutation[M5, MD], l limitsInput) {
	setOrClear(l.L5h, m.SetLimit5hNano, m.ClearLimit5hNano)
	setOrClear(l.Daily, m.SetLimitDailyNano, m.ClearLimitDailyNano)
	setOrClear(l.Weekly, m.SetLimitWeeklyNano, m.ClearLimitWeeklyNano)
	setOrClear(l.Monthly, m.SetLimitMonthlyNano, m.ClearLimitMonthlyNano)
	setOrClear(l.Total, m.SetLimitTotalNano, m.ClearLimitTotalNano)
	setOrClear(l.CostResetAt, m.SetCostResetAt, m.ClearCostResetAt)
	if l.Mode5h.Set {
		m.SetLimit5hResetMode(M5(l.Mode5h.V))
	}
	if l.DailyMode.Set {
		m.SetDailyResetMode(MD(l.DailyMode.V))
	}
	if l.DailyTime.Set {
		m.SetDailyResetTime(l.DailyTime.V)
	}
	if l.Concurrent.Set {
		m.SetLimitConcurrentSessions(int(l.Concurrent.V))
	}
}

func setOrClear[T any](o opt[T], set func(T), clear func()) {
	switch {
	case o.Null:
		clear()
	case o.Set:
		set(o.V)
	}
}

// limitsView is the shared part of the user, key and provider JSON (the daily limit is named per
// resource and lives beside it).
type limitsView struct {
	Limit5hUSD              *string `json:"limit_5h_usd"`
	Limit5hResetMode        string  `json:"limit_5h_reset_mode"`
	DailyResetMode          string  `json:"daily_reset_mode"`
	DailyResetTime          string  `json:"daily_reset_time"`
	LimitWeeklyUSD          *string `json:"limit_weekly_usd"`
	LimitMonthlyUSD         *string `json:"limit_monthly_usd"`
	LimitTotalUSD           *string `json:"limit_total_usd"`
	LimitConcurrentSessions int     `json:"limit_concurrent_sessions"`
	CostResetAt             *string `json:"cost_reset_at"`
}

// limitsRow is the mixin's columns as read from any of the three entities.
type limitsRow struct {
	L5h, Weekly, Monthly, Total  *int64
	Mode5h, DailyMode, DailyTime string
	Concurrent                   int
	CostResetAt                  *time.Time
}

func (r limitsRow) view() limitsView {
	return limitsView{
		Limit5hUSD:              usdOut(r.L5h),
		Limit5hResetMode:        r.Mode5h,
		DailyResetMode:          r.DailyMode,
		DailyResetTime:          r.DailyTime,
		LimitWeeklyUSD:          usdOut(r.Weekly),
		LimitMonthlyUSD:         usdOut(r.Monthly),
		LimitTotalUSD:           usdOut(r.Total),
		LimitConcurrentSessions: r.Concurrent,
		CostResetAt:             timeOutP(r.CostResetAt),
	}
}
