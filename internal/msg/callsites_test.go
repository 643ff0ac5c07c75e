package msg_test

import (
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/licverify/licverify"

// printfLike returns the index of fn's format parameter if fn is msg's
// Sprintf or Errorf or forwards to them: a string parameter named format
// followed by a final ...any, as verify's fail and misuse and internal/api's
// badRequest are. -1 otherwise.
func printfLike(fn *types.Func) int {
	sig, ok := fn.Type().(*types.Signature)
	if !ok || !sig.Variadic() {
		return -1
	}
	params := sig.Params()
	last := params.At(params.Len() - 1).Type().(*types.Slice).Elem()
	if iface, ok := last.Underlying().(*types.Interface); !ok || !iface.Empty() {
		return -1
	}
	for i := range params.Len() - 1 {
		p := params.At(i)
		if p.Name() == "format" && types.Identical(p.Type(), types.Typ[types.String]) {
			return i
		}
	}
	return -1
}

var (
	errorType    = types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
	stringerType = types.NewInterfaceType([]*types.Func{
		types.NewFunc(token.NoPos, nil, "String", types.NewSignatureType(nil, nil, nil, nil,
			types.NewTuple(types.NewVar(token.NoPos, nil, "", types.Typ[types.String])), false)),
	}, nil).Complete()
)

// argOK reports whether msg writes an argument of static type t for verb
// as fmt would; the rules are those of msg.Sprintf's doc comment.
func argOK(verb byte, t types.Type) bool {
	t = types.Unalias(t)
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time" {
		return false // a Stringer, but its String is time.Time.Format
	}
	basic, _ := t.(*types.Basic)
	str := basic != nil && basic.Info()&types.IsString != 0
	integer := basic != nil && basic.Info()&types.IsInteger != 0
	methods := types.Implements(t, errorType) || types.Implements(t, stringerType)
	switch verb {
	case 'v':
		// An interface other than error: its dynamic type is formatted
		// as well as msg can (wasm/abi.go's recovered panic value).
		_, iface := t.Underlying().(*types.Interface)
		return str || integer || methods || iface || t == types.Typ[types.UntypedNil]
	case 's':
		return str || methods
	case 'q':
		return str || integer || methods
	case 'd':
		return integer
	case 'w':
		return types.Implements(t, errorType)
	}
	return false
}

// verbs returns the verbs of a constant format, or a reason it is outside
// what msg supports.
func verbs(format string, errorf bool) ([]byte, string) {
	var vs []byte
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i == len(format) {
			return nil, "a trailing %"
		}
		switch c := format[i]; c {
		case '%':
		case 'v', 's', 'd', 'q':
			vs = append(vs, c)
		case 'w':
			if !errorf {
				return nil, "%w outside a direct msg.Errorf call"
			}
			vs = append(vs, c)
		default:
			return nil, "%" + string(c) + " is not supported"
		}
	}
	return vs, ""
}

// linkedDirs returns the directories of the module's packages the
// WebAssembly module links, following imports from wasm/ in its build.
func linkedDirs(t *testing.T, root string, ctxt build.Context) []string {
	var dirs []string
	seen := map[string]bool{}
	var visit func(dir string)
	visit = func(dir string) {
		if seen[dir] {
			return
		}
		seen[dir] = true
		dirs = append(dirs, dir)
		pkg, err := ctxt.ImportDir(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range pkg.Imports {
			if rest, ok := strings.CutPrefix(path, module+"/"); ok {
				visit(filepath.Join(root, filepath.FromSlash(rest)))
			}
		}
	}
	visit(filepath.Join(root, "wasm"))
	slices.Sort(dirs)
	return dirs
}

// TestCallSites type-checks every non-test file of the packages the
// WebAssembly module links and holds them to msg's subset: no fmt, no
// time.Time.Format, and every call of msg.Sprintf, msg.Errorf or a wrapper
// of them has a constant format whose verbs are supported, one argument
// per verb, each of a type msg formats as fmt does for that verb.
func TestCallSites(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// The module's build, and the native one: between them they select
	// every non-test file (verify's Ed25519 is one file or the other).
	// wasm/testhooks.go needs its tag.
	wasm := build.Default
	wasm.GOOS, wasm.GOARCH = "wasip1", "wasm"
	wasm.BuildTags = []string{"licverify_testhooks"}
	native := build.Default
	native.BuildTags = []string{"licverify_testhooks"}

	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	checked := map[string]bool{} // files
	calls := map[string]bool{}   // positions of the calls checked
	callees := map[string]bool{}
	for _, dir := range linkedDirs(t, root, wasm) {
		for _, ctxt := range []build.Context{wasm, native} {
			var files []*ast.File
			names, err := filepath.Glob(filepath.Join(dir, "*.go"))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range names {
				if strings.HasSuffix(name, "_test.go") {
					continue
				}
				if ok, err := ctxt.MatchFile(dir, filepath.Base(name)); err != nil {
					t.Fatal(err)
				} else if !ok {
					continue
				}
				f, err := parser.ParseFile(fset, name, nil, 0)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
			}
			if len(files) == 0 {
				continue
			}
			info := &types.Info{
				Types: map[ast.Expr]types.TypeAndValue{},
				Uses:  map[*ast.Ident]types.Object{},
				Defs:  map[*ast.Ident]types.Object{},
			}
			conf := types.Config{Importer: imp}
			if _, err := conf.Check(dir, fset, files, info); err != nil {
				t.Fatalf("type-checking %s for %s/%s: %v", dir, ctxt.GOOS, ctxt.GOARCH, err)
			}
			for _, f := range files {
				// A file both builds select is reported once.
				if name := fset.Position(f.Pos()).Filename; !checked[name] {
					checked[name] = true
					checkFile(t, fset, info, f, calls, callees)
				}
			}
		}
		names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, name := range names {
			if !strings.HasSuffix(name, "_test.go") && !checked[name] {
				t.Errorf("%s is in neither build; add its tags here", name)
			}
		}
	}
	// The test must not pass for finding nothing.
	for _, want := range []string{"msg.Sprintf", "msg.Errorf", "verify.fail", "verify.misuse", "api.badRequest"} {
		if !callees[want] {
			t.Errorf("no call of %s was found", want)
		}
	}
	if len(calls) < 100 {
		t.Errorf("only %d calls were checked", len(calls))
	}
	t.Logf("%d calls checked in %d files", len(calls), len(checked))
}

func checkFile(t *testing.T, fset *token.FileSet, info *types.Info, f *ast.File, calls, callees map[string]bool) {
	name := fset.Position(f.Pos()).Filename
	for _, is := range f.Imports {
		if path, _ := strconv.Unquote(is.Path.Value); path == "fmt" {
			t.Errorf("%s imports fmt; use internal/msg", name)
		}
	}
	// Each call is judged with the function declaration it is in: a
	// wrapper may forward its own format.
	var enclosing *types.Func
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			enclosing, _ = info.Defs[n.Name].(*types.Func)
		case *ast.CallExpr:
			checkCall(t, fset, info, n, enclosing, calls, callees)
		}
		return true
	})
}

func checkCall(t *testing.T, fset *token.FileSet, info *types.Info, call *ast.CallExpr, enclosing *types.Func, calls, callees map[string]bool) {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return
	}
	fn, ok := info.Uses[id].(*types.Func)
	if !ok || fn.Pkg() == nil {
		return
	}
	pos := fset.Position(call.Pos()).String()
	if recv := fn.Signature().Recv(); recv != nil {
		if n, ok := types.Unalias(recv.Type()).(*types.Named); ok && n.Obj().Pkg() != nil &&
			n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time" {
			switch fn.Name() {
			case "Format", "AppendFormat", "String", "GoString":
				t.Errorf("%s: time.Time.%s; use internal/timefmt", pos, fn.Name())
			}
		}
		return
	}
	fi := printfLike(fn)
	if fi < 0 {
		return
	}
	calls[pos] = true
	callees[fn.Pkg().Name()+"."+fn.Name()] = true
	inWrapper := enclosing != nil && printfLike(enclosing) >= 0
	tv := info.Types[call.Args[fi]]
	if tv.Value == nil || call.Ellipsis.IsValid() {
		if !inWrapper {
			t.Errorf("%s: %s has no constant format, so its verbs cannot be checked", pos, fn.Name())
		}
		return // the wrapper's own callers are checked
	}
	format := tv.Value.ExactString()
	format, err := strconv.Unquote(format)
	if err != nil {
		t.Fatalf("%s: %v", pos, err)
	}
	errorf := fn.Pkg().Path() == module+"/internal/msg" && fn.Name() == "Errorf"
	vs, why := verbs(format, errorf)
	if why != "" {
		t.Errorf("%s: format %q: %s", pos, format, why)
		return
	}
	args := call.Args[fi+1:]
	if len(args) != len(vs) {
		t.Errorf("%s: format %q has %d verbs for %d arguments", pos, format, len(vs), len(args))
		return
	}
	for i, v := range vs {
		if typ := info.Types[args[i]].Type; !argOK(v, typ) {
			t.Errorf("%s: format %q: %%%c of a %s is not formatted as fmt would", pos, format, v, typ)
		}
	}
}
