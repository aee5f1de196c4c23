package usage

import (
	"unsafe"

	"github.com/bytedance/sonic/ast"
)

// finder locates values in a JSON text with sonic's searcher, which skips everything off the
// path without decoding it. It neither copies nor allocates: the JSON bytes are viewed as a
// string in place, and the located node is kept in the finder (which lives inside a
// heap-allocated Stream) so that sonic's pointer-receiver methods do not force it onto the heap.
// Everything a finder returns aliases the input and must be copied before the input goes away.
type finder struct {
	node ast.Node
}

// text views b as a string without copying. Safe because the searcher only reads it, b is not
// modified during the call, and no returned string outlives b (callers copy what they keep).
func text(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// find moves f.node to path in src. sonic validates the whole text on the way, so a located
// value is well-formed JSON from well-formed JSON: the walker in counts.go relies on that, and
// a truncated or corrupted event is ignored rather than half-read.
func (f *finder) find(src string, path []any) bool {
	s := ast.NewSearcher(src)
	s.ValidateJSON = true
	var err error
	f.node, err = s.GetByPath(path...)
	if err != nil {
		f.node = ast.Node{}
		return false
	}
	return true
}

// object returns the raw text of the object at path.
func (f *finder) object(src string, path []any) (string, bool) {
	defer f.clear()
	if !f.find(src, path) || f.node.TypeSafe() != ast.V_OBJECT {
		return "", false
	}
	raw, err := f.node.Raw()
	return raw, err == nil
}

// str returns the string at path in src. The result aliases src.
func (f *finder) str(src string, path []any) (string, bool) {
	defer f.clear()
	if !f.find(src, path) || f.node.TypeSafe() != ast.V_STRING {
		return "", false
	}
	s, err := f.node.StrictString()
	return s, err == nil
}

// clear drops the reference into the caller's buffer.
func (f *finder) clear() { f.node = ast.Node{} }
