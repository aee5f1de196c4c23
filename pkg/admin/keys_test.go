package admin

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

var keyFormat = regexp.MustCompile(`^sk-[0-9a-f]{32}$`)

func TestKeyCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		ctx := context.Background()
		uid := h.createUser("alice", nil)
		r := h.admin("POST", "/api/v1/users/"+itoa(uid)+"/keys", map[string]any{
			"name": "ci", "is_enabled": true, "expires_at": "2027-06-01T00:00:00Z",
			"can_login_web_ui": true, "provider_group": "fast", "limit_5h_usd": "1.5",
			"limit_daily_usd": 10, "limit_weekly_usd": "50", "limit_monthly_usd": "150",
			"limit_total_usd": "500.000000001", "limit_concurrent_sessions": 2,
			"daily_reset_mode": "rolling", "daily_reset_time": "06:00", "limit_5h_reset_mode": "fixed",
		}).want(201)
		var created struct {
			keyView
			Key string `json:"key"`
		}
		r.decode(&created)
		key := created.Key
		if !keyFormat.MatchString(key) {
			t.Fatalf("key %q is not sk- + 32 hex", key)
		}
		if created.KeyPrefix != "sk-"+key[3:7]+"…"+key[len(key)-4:] {
			t.Fatalf("prefix %q for %q", created.KeyPrefix, key)
		}
		want := keyView{
			ID: created.ID, UserID: uid, Name: "ci", KeyPrefix: created.KeyPrefix, IsEnabled: true,
			ExpiresAt: ptr("2027-06-01T00:00:00Z"), CanLoginWebUI: true, ProviderGroup: "fast",
			LimitDailyUSD: ptr("10.00"),
			limitsView: limitsView{
				Limit5hUSD: ptr("1.50"), Limit5hResetMode: "fixed", DailyResetMode: "rolling",
				DailyResetTime: "06:00", LimitWeeklyUSD: ptr("50.00"), LimitMonthlyUSD: ptr("150.00"),
				LimitTotalUSD: ptr("500.000000001"), LimitConcurrentSessions: 2,
			},
			CreatedAt: created.CreatedAt, UpdatedAt: created.UpdatedAt,
		}
		if !reflect.DeepEqual(created.keyView, want) {
			t.Fatalf("created\n got %+v\nwant %+v", created.keyView, want)
		}
		// Stored: the hash and the prefix, never the key.
		row, err := s.Client.Key.Get(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if row.KeyHash != hashSecret(key) || len(row.KeyHash) != 64 {
			t.Fatalf("key_hash %q", row.KeyHash)
		}

		// Shown once: GET and lists carry only the prefix.
		kid := itoa(created.ID)
		g := h.admin("GET", "/api/v1/keys/"+kid, nil).want(200)
		var got keyView
		g.decode(&got)
		if !reflect.DeepEqual(got, want) || g.contains(key) || g.contains(key[3:]) {
			t.Fatalf("GET %s", g.Body)
		}
		if _, ok := g.json()["key"]; ok {
			t.Fatal("GET has a key member")
		}
		lr := h.admin("GET", "/api/v1/users/"+itoa(uid)+"/keys", nil).want(200)
		var l list[keyView]
		lr.decode(&l)
		if len(l.Items) != 1 || !reflect.DeepEqual(l.Items[0], want) || lr.contains(key[3:]) {
			t.Fatalf("list %s", lr.Body)
		}

		// PATCH is partial, null clears.
		var p keyView
		pr := h.admin("PATCH", "/api/v1/keys/"+kid, map[string]any{"name": "ci-2", "limit_daily_usd": nil, "expires_at": nil}).want(200)
		pr.decode(&p)
		want.Name, want.LimitDailyUSD, want.ExpiresAt, want.UpdatedAt = "ci-2", nil, nil, p.UpdatedAt
		if !reflect.DeepEqual(p, want) || pr.contains(key[3:]) {
			t.Fatalf("patch\n got %+v\nwant %+v", p, want)
		}
		// The key cannot be changed or replaced through PATCH.
		h.admin("PATCH", "/api/v1/keys/"+kid, map[string]any{"key": "sk-00000000000000000000000000000000"}).wantError(400, "key")
		h.admin("PATCH", "/api/v1/keys/"+kid, map[string]any{"key_prefix": "x"}).wantError(400, "key_prefix")
		h.admin("PATCH", "/api/v1/keys/"+kid, map[string]any{"user_id": 99}).wantError(400, "user_id")

		// Each create makes a different key.
		_, key2 := h.createKey(uid, nil)
		if key2 == key {
			t.Fatal("same key twice")
		}

		h.admin("DELETE", "/api/v1/keys/"+kid, nil).want(204)
		h.admin("GET", "/api/v1/keys/"+kid, nil).wantError(404, "")
		h.admin("PATCH", "/api/v1/keys/"+kid, map[string]any{"name": "x"}).wantError(404, "")
		h.admin("DELETE", "/api/v1/keys/"+kid, nil).wantError(404, "")
		h.req("POST", "/api/auth/login", map[string]any{"token": key}).wantError(401, "token")
		if got := h.changesSeen(); !reflect.DeepEqual(got, []string{"users", "keys", "keys", "keys", "keys"}) {
			t.Fatalf("OnChange %v", got)
		}
	})
}

func TestKeyDeleteEndsItsSessions(t *testing.T) {
	h := newSQLiteHarness(t)
	uid := h.createUser("u", nil)
	kid, key := h.createKey(uid, map[string]any{"can_login_web_ui": true})
	id := h.login(key)
	h.admin("DELETE", "/api/v1/keys/"+itoa(kid), nil).want(204)
	h.req("GET", "/api/v1/me", nil, cookie(id)).wantError(401, "")
	if n, _ := h.store.Client.AuthSession.Query().Count(context.Background()); n != 0 {
		t.Fatalf("%d sessions left", n)
	}
}

func TestKeyBadInput(t *testing.T) {
	h := newSQLiteHarness(t)
	uid := h.createUser("u", nil)
	cases := []badInput{
		{"name", absent{}, ""}, {"name", "", ""}, {"name", nil, ""}, {"name", repeat("k", 129), ""},
		{"is_enabled", "no", ""}, {"can_login_web_ui", 0, ""}, {"can_login_web_ui", nil, ""},
		{"expires_at", "2026-02-30T00:00:00Z", ""}, {"expires_at", "", ""},
		{"provider_group", repeat("g", 201), ""},
		{"limit_5h_usd", "-1", ""}, {"limit_daily_usd", "ten", ""}, {"limit_weekly_usd", false, ""},
		{"limit_monthly_usd", "0.0000000001", ""}, {"limit_total_usd", -3, ""},
		{"daily_limit_usd", 1, ""}, // the users' spelling is not a key field
		{"limit_concurrent_sessions", 1.5, ""}, {"daily_reset_time", "7:00", ""},
		{"daily_reset_mode", "never", ""}, {"limit_5h_reset_mode", "", ""},
		{"key", "sk-mine", ""}, {"rpm_limit", 5, ""},
	}
	expectBadInputs(t, h, "POST", "/api/v1/users/"+itoa(uid)+"/keys", map[string]any{"name": "ok"}, cases)
	if n, _ := h.store.Client.Key.Query().Count(context.Background()); n != 0 {
		t.Fatalf("%d keys written by bad requests", n)
	}
}

// After creating several keys (and logging in with some), no plaintext key, key body or session
// id appears in any text of any table.
func TestNoPlaintextKeyInDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, s)
		var secrets []string
		for i := range 3 {
			uid := h.createUser("user"+itoa(i), nil)
			for j := range 3 {
				_, key := h.createKey(uid, map[string]any{"name": fmt.Sprintf("k%d", j), "can_login_web_ui": true})
				secrets = append(secrets, key, key[len(clientKeyPrefix):])
				if j == 0 {
					secrets = append(secrets, h.login(key))
				}
			}
		}
		secrets = append(secrets, h.login(testToken), testToken)

		dump := dumpDatabase(t, s)
		if !strings.Contains(dump, "user2") || !strings.Contains(dump, hashSecret(secrets[0])) {
			t.Fatalf("the dump misses rows; it cannot prove anything:\n%.2000s", dump)
		}
		for _, sec := range secrets {
			if strings.Contains(dump, sec) {
				t.Fatalf("plaintext secret %q found in the database", sec[:8]+"…")
			}
		}
		if logs := h.logs.String(); containsAny(logs, secrets) {
			t.Fatalf("secret in logs:\n%s", logs)
		}
	})
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// dumpDatabase renders every value of every column of every table as text.
func dumpDatabase(t *testing.T, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if s.Dialect == dialect.Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	tables := queryStrings(t, s.DB, q)
	if len(tables) < 5 {
		t.Fatalf("only tables %v", tables)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := s.DB.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("scan %s: %v", table, err)
			}
			b.WriteString(table)
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, " %s=%v", cols[i], v)
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
