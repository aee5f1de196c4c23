package money

import "testing"

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Nano
		ok   bool
	}{
		{"0", 0, true},
		{"12", 12 * PerUSD, true},
		{"0.5", 500_000_000, true},
		{".5", 500_000_000, true},
		{"0.000000001", 1, true},
		{"1.123456789", 1_123_456_789, true},
		{" 3.25 ", 3_250_000_000, true},
		{"", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"1.", 0, false},
		{".", 0, false},
		{"1.0000000001", 0, false},
		{"abc", 0, false},
		{"1e3", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Parse(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := map[Nano]string{
		0:             "0.00",
		1:             "0.000000001",
		12_345_678:    "0.012345678",
		1_500_000_000: "1.50",
		10 * PerUSD:   "10.00",
		-250_000_000:  "-0.25",
	}
	for in, want := range cases {
		if got := Format(in); got != want {
			t.Errorf("Format(%d) = %q; want %q", in, got, want)
		}
	}
}

func TestFromFloatRoundTrip(t *testing.T) {
	for _, s := range []string{"0.01", "12.34", "0.000001", "1000"} {
		p, _ := Parse(s)
		f := float64(p) / float64(PerUSD)
		got, err := FromFloat(f)
		if err != nil || got != p {
			t.Errorf("FromFloat(%v) = %d, %v; want %d", f, got, err, p)
		}
	}
	if _, err := FromFloat(-1); err == nil {
		t.Error("negative accepted")
	}
}
