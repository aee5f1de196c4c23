package gateway

import (
	"bytes"
	"os"
	"testing"

	"github.com/bytedance/sonic"
)

func TestReadFacts(t *testing.T) {
	f, err := readFacts([]byte(`{"messages":[{"role":"user","content":"hi \"model\""}],"model":"claude-x","stream":true}`))
	if err != nil || f.Model != "claude-x" || !f.Stream {
		t.Fatalf("%+v %v", f, err)
	}
	f, err = readFacts([]byte(`{"input":"x"}`))
	if err != nil || f.Model != "" || f.Stream {
		t.Fatalf("%+v %v", f, err)
	}
	if _, err := readFacts([]byte(`{"model":42}`)); err == nil {
		t.Fatal("non-string model accepted")
	}
}

// TestSetModelKeepsOtherBytes checks that a redirect changes only the model value, on a real
// Claude Code body with cache_control blocks and "<system-reminder>" text.
func TestSetModelKeepsOtherBytes(t *testing.T) {
	body := clientFixtureBody(t, "claude-code-tooluse.json", 0)
	orig, _ := readFacts(body)
	out, err := setModel(body, "claude-sonnet-4-5-20250929")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := readFacts(out)
	if f.Model != "claude-sonnet-4-5-20250929" {
		t.Fatalf("model = %q", f.Model)
	}
	back, err := setModel(out, orig.Model)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, body) {
		t.Fatal("setting the model back does not restore the original bytes")
	}
}

func TestEnsureIncludeUsage(t *testing.T) {
	cases := []string{
		`{"model":"m","stream":true,"messages":[]}`,
		`{"model":"m","stream":true,"stream_options":{"include_usage":false},"messages":[]}`,
		`{"model":"m","stream":true,"stream_options":{"foo":1},"messages":[]}`,
	}
	for _, in := range cases {
		out, err := ensureIncludeUsage([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		n, err := sonic.Get(out, "stream_options", "include_usage")
		if v, _ := n.Bool(); err != nil || !v {
			t.Errorf("%s -> %s", in, out)
		}
	}
	same := []byte(`{"stream_options":{"include_usage":true}}`)
	if out, _ := ensureIncludeUsage(same); &out[0] != &same[0] {
		t.Error("an already-correct body must be returned unchanged")
	}
}

// clientFixtureBody returns the body of the i-th request in a captured client fixture.
func clientFixtureBody(t testing.TB, name string, i int) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/clients/" + name)
	if err != nil {
		t.Fatal(err)
	}
	fx, err := parseFixture(raw)
	if err != nil {
		t.Fatal(err)
	}
	if i >= len(fx) {
		t.Fatalf("%s has %d requests", name, len(fx))
	}
	return fx[i].Body
}

func TestSpliceTopLevel(t *testing.T) {
	cases := []struct{ in, key, val, want string }{
		{`{"a": 1,  "model" : "x", "b":{"model": "n"}}`, "model", `"y"`, `{"a": 1,  "model" : "y", "b":{"model": "n"}}`},
		{`{"s":"a \"model\": \\","model":"x"}`, "model", `"y"`, `{"s":"a \"model\": \\","model":"y"}`},
		{`{"a":[{"model":1}],"model":null}`, "model", `"y"`, `{"a":[{"model":1}],"model":"y"}`},
		{`{"a":1}`, "model", `"y"`, `{"model":"y","a":1}`},
		{`{}`, "model", `"y"`, `{"model":"y"}`},
		{` { } `, "k", `true`, ` {"k":true } `},
	}
	for _, c := range cases {
		out, err := spliceTopLevel([]byte(c.in), c.key, []byte(c.val))
		if err != nil || string(out) != c.want {
			t.Errorf("splice(%s) = %s, %v; want %s", c.in, out, err, c.want)
		}
	}
	for _, bad := range []string{``, `[]`, `{"a"}`, `{"a":"x`, `"str"`} {
		if _, err := spliceTopLevel([]byte(bad), "model", []byte(`"y"`)); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func FuzzSpliceKeepsValidJSON(f *testing.F) {
	f.Add([]byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`))
	f.Add([]byte(`{"a":{"b":"}"},"model":"z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !sonic.Valid(body) {
			return
		}
		out, err := setModel(body, "m")
		if err != nil {
			return
		}
		if !sonic.Valid(out) {
			t.Fatalf("invalid output %q from %q", out, body)
		}
		if f, err := readFacts(out); err != nil || f.Model != "m" {
			t.Fatalf("model not set: %q -> %q", body, out)
		}
	})
}
