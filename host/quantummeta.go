package host

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// QuantumMetaMachineID is the machine id QuantumMeta's get_machine_id()
// (the PyPI package quantummeta-license 1.1.1) gives on this machine: the
// id a .qkey license is bound to, to pass as the machine id
// [verify.QKey] compares. docs/formats.md ("QuantumMeta's machine id")
// says what is read and when it is unavailable.
type QuantumMetaMachineID struct {
	// ID is the machine id, 32 hex digits, as get_machine_id() returns
	// it; "" when it is unavailable.
	ID string `json:"quantummeta_machine_id,omitempty"`
	// Source is "cache" when ID was read from QuantumMeta's cache file,
	// "computed" when it was computed as get_machine_id() computes it
	// where there is no cache.
	Source string `json:"source,omitempty"`
	// Path is QuantumMeta's cache file: the one read, or the one
	// get_machine_id() would write; "" when where it is is not known.
	Path string `json:"path,omitempty"`
	// Reason says why ID is unavailable.
	Reason string `json:"reason,omitempty"`
}

// CollectQuantumMetaMachineID reports the machine id QuantumMeta's
// get_machine_id() gives on this machine, for this user and environment.
// It is a component a caller asks for by name: [CollectFingerprint] never
// includes it, and it is not part of any fingerprint hash.
//
// It reads get_machine_id()'s cache file (machine_id.json in
// platformdirs' user cache directory "quantummeta", or
// quantummeta_machine_id.json in the temporary directory where that
// cannot be made), bounded to 4096 bytes and parsed as Python's json
// module parses it. Any process of the user can write that file, so the
// id is only as strong as the file. Where there is no cache it computes
// the id as get_machine_id() does, on Linux only and only when every
// input is reproducible (the firmware's system UUID readable, a single
// Ethernet interface, ...); on that path it runs lsblk and uname -p, as
// get_machine_id() does. Otherwise the result carries a Reason and no
// ID: never an id get_machine_id() would not give. It never writes.
func CollectQuantumMetaMachineID() QuantumMetaMachineID {
	return quantumMeta(osMachine{goos: runtime.GOOS})
}

// Limits on what is read: QuantumMeta writes {"machine_id": "<32 hex
// digits>"}, 50 bytes; sysfs files are one line; the commands print a line
// per disk.
const (
	qmCacheLimit  = 4096
	qmFileLimit   = 4096
	qmProcLimit   = 1 << 16
	qmOutputLimit = 1 << 16
	qmTimeout     = 10 // seconds a command may run
	qmMaxDepth    = 64
	// libuuid reads the IPv4 addresses (SIOCGIFCONF) into 1024 bytes: 25
	// of them.
	qmIfconfLimit = 25
)

const (
	qmProductUUID = "/sys/class/dmi/id/product_uuid"
	qmSdaSerial   = "/sys/block/sda/device/serial"
	qmMeminfo     = "/proc/meminfo"
	qmGetnode     = "uuid.getnode() is not reproducible here: "
)

// qmMachine is everything the rules read from the machine, so that they
// run on the fixtures of testvectors/fingerprint/quantummeta.json as on
// this machine.
type qmMachine interface {
	// platform names the system as Node's os.platform() does.
	platform() string
	getenv(key string) (string, bool)
	// stat follows symbolic links. Kind is "" when nothing is there
	// (ENOENT); "error" for any other failure (ENOTDIR, EACCES, ...).
	stat(path string) qmStat
	// read reads at most limit bytes of a regular file, never blocking
	// on a FIFO.
	read(path string, limit int) qmFile
	// run runs the program at path with argv[0] name, stdin and stderr
	// /dev/null, for at most qmTimeout seconds, keeping qmOutputLimit
	// bytes of its output.
	run(path, name string, args ...string) qmRun
	// interfaces lists the network interfaces (Linux: /sys/class/net).
	interfaces() []qmInterface
	// uname is os.uname()'s nodename and machine.
	uname() (nodename, machine string)
}

type qmStat struct {
	Kind     string // "dir", "file", "other", "error", "" (missing)
	Exec     bool   // a file this user may execute
	Writable bool   // a directory this user may add entries to
}

type qmFile struct {
	kind string // "ok", "missing", "error", "dir", "other", "large"
	data []byte
}

type qmRun struct {
	Exit    int    `json:"exit"`
	Stdout  string `json:"stdout"`
	Timeout bool   `json:"timeout"`
	Large   bool   `json:"large"`
	Failed  bool   `json:"failed"` // could not be started
}

type qmInterface struct {
	Name    string `json:"name"`
	Type    int    `json:"type"`    // ARPHRD_*: 1 Ethernet, 772 loopback
	Address string `json:"address"` // its hardware address, as sysfs prints it
	Up      bool   `json:"up"`      // up and running (IFF_UP, IFF_RUNNING)
	IPv4    int    `json:"ipv4"`    // its IPv4 addresses
}

// quantumMeta follows get_machine_id(): the cache, then a computed id.
func quantumMeta(m qmMachine) QuantumMetaMachineID {
	file, why := qmCacheFile(m)
	if why != "" {
		return QuantumMetaMachineID{Reason: why}
	}
	r := QuantumMetaMachineID{Path: file}
	id, decline, state := qmReadCache(m, file)
	switch {
	case id != "":
		r.ID, r.Source = id, "cache"
	case decline != "":
		r.Reason = decline
	default:
		if id, why := qmCompute(m); why != "" {
			r.Reason = state + ", so get_machine_id() computes a new id, and " + why
		} else {
			r.ID, r.Source = id, "computed"
		}
	}
	return r
}

// qmCacheFile is the file _get_cache_file() names: machine_id.json in
// platformdirs.user_cache_dir("quantummeta"), which it creates, or
// quantummeta_machine_id.json in tempfile.gettempdir() when that fails.
// Where platformdirs' versions (3.0.0 and later, as quantummeta-license
// requires) differ, it declines.
func qmCacheFile(m qmMachine) (string, string) {
	p := m.platform()
	switch p {
	case "win32":
		return qmWindowsCacheFile(m)
	case "android", "ios", "":
		return "", "QuantumMeta's cache is not looked for on " + p
	}
	if d, _ := m.getenv("ANDROID_DATA"); d == "/data" {
		if r, _ := m.getenv("ANDROID_ROOT"); r == "/system" {
			return "", "ANDROID_DATA and ANDROID_ROOT are set: platformdirs may choose Android's directories"
		}
	}
	xdg, _ := m.getenv("XDG_CACHE_HOME")
	var dir string
	switch {
	case p == "darwin" && strings.HasPrefix(xdg, "/"):
		return "", "XDG_CACHE_HOME is set: newer platformdirs versions put the cache there on macOS, older ones do not"
	case p == "darwin":
		// Not used on macOS by any version.
	case strings.HasPrefix(xdg, "/"):
		dir = posixJoin(xdg, "quantummeta")
	case pyStrip(xdg) != "":
		return "", "XDG_CACHE_HOME is set but not an absolute path: platformdirs versions differ on what that means"
	}
	if dir == "" {
		home, ok := m.getenv("HOME")
		if !ok || !strings.HasPrefix(home, "/") {
			return "", "HOME is not set to an absolute path: platformdirs versions differ on where the home directory then is"
		}
		base := strings.TrimRight(home, "/")
		if p == "darwin" {
			dir = base + "/Library/Caches/quantummeta"
		} else {
			dir = base + "/.cache/quantummeta"
		}
	}
	dir = pathlibClean(dir)
	if qmCanCreate(m, dir) {
		return posixJoin(dir, "machine_id.json"), ""
	}
	return qmTempFile(m, dir)
}

// qmCanCreate predicts Path(dir).mkdir(parents=True, exist_ok=True)
// without creating anything: it succeeds on a directory, and on a missing
// one whose nearest existing ancestor is a directory this user may add
// entries to.
func qmCanCreate(m qmMachine, dir string) bool {
	switch m.stat(dir).Kind {
	case "dir":
		return true
	case "":
		for p := posixParent(dir); ; p = posixParent(p) {
			s := m.stat(p)
			if s.Kind != "" {
				return s.Kind == "dir" && s.Writable
			}
			if posixParent(p) == p {
				return false
			}
		}
	}
	return false
}

// qmTempFile is the fallback file in tempfile.gettempdir(): the first of
// $TMPDIR, $TEMP, $TMP, /tmp, /var/tmp, /usr/tmp that is a directory this
// user may create files in.
func qmTempFile(m qmMachine, dir string) (string, string) {
	cannot := "QuantumMeta cannot create " + dir + ", so it keeps its cache in the temporary directory, and "
	type candidate struct{ env, dir string }
	var cands []candidate
	for _, k := range []string{"TMPDIR", "TEMP", "TMP"} {
		if v, _ := m.getenv(k); v != "" {
			cands = append(cands, candidate{k, v})
		}
	}
	cands = append(cands, candidate{"", "/tmp"}, candidate{"", "/var/tmp"}, candidate{"", "/usr/tmp"})
	for _, c := range cands {
		if !strings.HasPrefix(c.dir, "/") {
			// Made absolute from get_machine_id()'s working directory.
			return "", cannot + c.env + " is a relative path"
		}
		d := pyNormpath(c.dir)
		if s := m.stat(d); s.Kind == "dir" && s.Writable {
			return posixJoin(d, "quantummeta_machine_id.json"), ""
		}
	}
	return "", cannot + "none of the usual ones is usable"
}

// qmWindowsCacheFile: platformdirs' Windows user_cache_dir is the Local
// AppData known folder, then appauthor (the app name when not given), the
// app name and "Cache". LOCALAPPDATA names that folder; one that
// os.path.normpath would change is declined.
func qmWindowsCacheFile(m qmMachine) (string, string) {
	if v, _ := m.getenv("WIN_PD_OVERRIDE_LOCAL_APPDATA"); pyStrip(v) != "" {
		return "", "WIN_PD_OVERRIDE_LOCAL_APPDATA is set: newer platformdirs versions put the cache there, older ones do not"
	}
	base, _ := m.getenv("LOCALAPPDATA")
	if !qmPlainWindowsPath(base) {
		return "", `LOCALAPPDATA is not a plain absolute path (such as C:\Users\me\AppData\Local)`
	}
	dir := base + `\quantummeta\quantummeta\Cache`
	switch m.stat(dir).Kind {
	case "dir", "":
		return dir + `\machine_id.json`, ""
	}
	return "", "QuantumMeta cannot create " + dir + ", so it keeps its cache in the temporary directory, which is not looked for on Windows"
}

// qmPlainWindowsPath: a drive letter, then components that are not "."
// or "..", with no forward slash, no empty component, no trailing
// separator, none of the characters Windows forbids in a name.
func qmPlainWindowsPath(p string) bool {
	if len(p) < 4 || !(p[0] >= 'A' && p[0] <= 'Z' || p[0] >= 'a' && p[0] <= 'z') || p[1] != ':' || p[2] != '\\' {
		return false
	}
	for _, c := range strings.Split(p[3:], `\`) {
		if c == "" || c == "." || c == ".." || strings.ContainsAny(c, `/:*?"<>|`) {
			return false
		}
		for _, r := range c {
			if r < 0x20 {
				return false
			}
		}
	}
	return true
}

// qmReadCache is what _load_cached_machine_id() makes of the file: an id
// to report, a reason to decline what it returns, or (neither) why
// get_machine_id() computes a new id.
func qmReadCache(m qmMachine, file string) (id, decline, recompute string) {
	f := m.read(file, qmCacheLimit)
	switch f.kind {
	case "missing":
		return "", "", "there is no " + file
	case "error", "dir":
		return "", "", file + " cannot be read"
	case "other":
		return "", file + " is not a regular file", ""
	case "large":
		return "", fmt.Sprintf("%s is larger than %d bytes", file, qmCacheLimit), ""
	}
	return qmClassify(file, f.data)
}

// qmClassify applies json.load and data.get('machine_id') to the file's
// bytes. A non-empty string of 32 hex digits is reported as it is;
// another truthy value is declined (get_machine_id() returns it, and no
// .qkey's machine id, 32 hex digits, equals it); no object, no member or
// a falsy one means get_machine_id() computes a new id.
func qmClassify(file string, data []byte) (id, decline, recompute string) {
	for _, b := range data {
		if b >= 0x80 {
			return "", file + " is not ASCII, and how Python decodes it depends on its version and locale", ""
		}
	}
	if qmDepth(data) > qmMaxDepth {
		return "", fmt.Sprintf("%s nests deeper than %d levels", file, qmMaxDepth), ""
	}
	p := pyJSON{s: data}
	p.ws()
	v, ok := p.value()
	p.ws()
	switch {
	case !ok || p.i != len(p.s):
		return "", "", file + " is not JSON"
	case v.kind != "an object":
		return "", "", file + " is not a JSON object"
	case v.member == nil || !v.member.truthy:
		return "", "", file + " holds no machine_id, or an empty one"
	case v.member.kind != "a string":
		return "", file + " holds a machine_id that is " + v.member.kind + ", not a string: get_machine_id() returns it, and no license's machine id equals it", ""
	case !qmHex32(v.member.str):
		return "", file + " holds a machine_id that is not 32 hex digits: get_machine_id() returns it as it is, and no .qkey's machine id equals it", ""
	}
	return v.member.str, "", ""
}

// qmDepth is the deepest nesting of [ and { outside strings, counted
// before parsing so that every runtime declines the same files.
func qmDepth(s []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inString {
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			deepest = max(deepest, depth)
		case ']', '}':
			depth--
		}
	}
	return deepest
}

func qmHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// pyJSON parses ASCII JSON as Python's json module does (its C scanner,
// strict): RFC 8259 plus NaN, Infinity and -Infinity; a later duplicate
// member replaces an earlier one. It keeps only what get_machine_id()
// looks at: the kind and truthiness of a value and the top-level
// "machine_id" member.
type pyJSON struct {
	s []byte
	i int
}

type pyValue struct {
	kind   string // "a string", "a number", "true", "false", "null", "an array", "an object"
	truthy bool
	str    string
	member *pyValue // an object's last "machine_id"
}

func (p *pyJSON) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *pyJSON) next(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyJSON) value() (pyValue, bool) {
	if p.i >= len(p.s) {
		return pyValue{}, false
	}
	lit := func(text string, v pyValue) (pyValue, bool) {
		if !strings.HasPrefix(string(p.s[p.i:]), text) {
			return pyValue{}, false
		}
		p.i += len(text)
		return v, true
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, ok := p.string()
		return pyValue{kind: "a string", truthy: s != "", str: s}, ok
	case c == 'n':
		return lit("null", pyValue{kind: "null"})
	case c == 't':
		return lit("true", pyValue{kind: "true", truthy: true})
	case c == 'f':
		return lit("false", pyValue{kind: "false"})
	case c == 'N':
		return lit("NaN", pyValue{kind: "a number", truthy: true})
	case c == 'I':
		return lit("Infinity", pyValue{kind: "a number", truthy: true})
	case c == '-' && p.i+1 < len(p.s) && p.s[p.i+1] == 'I':
		return lit("-Infinity", pyValue{kind: "a number", truthy: true})
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return pyValue{}, false
}

func (p *pyJSON) object() (pyValue, bool) {
	p.i++
	v := pyValue{kind: "an object"}
	p.ws()
	if p.next('}') {
		return v, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return v, false
		}
		key, ok := p.string()
		if !ok {
			return v, false
		}
		p.ws()
		if !p.next(':') {
			return v, false
		}
		p.ws()
		val, ok := p.value()
		if !ok {
			return v, false
		}
		v.truthy = true
		if key == "machine_id" {
			v.member = &val
		}
		p.ws()
		if p.next('}') {
			return v, true
		}
		if !p.next(',') {
			return v, false
		}
		p.ws()
	}
}

func (p *pyJSON) array() (pyValue, bool) {
	p.i++
	v := pyValue{kind: "an array"}
	p.ws()
	if p.next(']') {
		return v, true
	}
	for {
		if _, ok := p.value(); !ok {
			return v, false
		}
		v.truthy = true
		p.ws()
		if p.next(']') {
			return v, true
		}
		if !p.next(',') {
			return v, false
		}
		p.ws()
	}
}

// string decodes a string as Python does; a lone surrogate becomes
// U+FFFD, which no key or id compared here contains.
func (p *pyJSON) string() (string, bool) {
	p.i++
	var b strings.Builder
	hex4 := func(at int) (rune, bool) {
		if at+4 > len(p.s) {
			return 0, false
		}
		var r rune
		for _, c := range p.s[at : at+4] {
			switch {
			case c >= '0' && c <= '9':
				r = r<<4 | rune(c-'0')
			case c >= 'a' && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case c >= 'A' && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			return "", false
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(p.i)
			if !ok {
				return "", false
			}
			p.i += 4
			if utf16.IsSurrogate(r) && r < 0xdc00 && p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
				r2, ok := hex4(p.i + 2)
				if !ok {
					return "", false
				}
				if r2 >= 0xdc00 && r2 <= 0xdfff {
					r = utf16.DecodeRune(r, r2)
					p.i += 6
				}
			}
			if utf16.IsSurrogate(r) {
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return "", false
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?; it is
// falsy when its value is zero: an int of zeros, or a float that is 0.0
// (which "1e-400" is too).
func (p *pyJSON) number() (pyValue, bool) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	p.next('-')
	if p.next('0') {
	} else if digits() == 0 {
		return pyValue{}, false
	}
	float := false
	if p.i+1 < len(p.s) && p.s[p.i] == '.' && p.s[p.i+1] >= '0' && p.s[p.i+1] <= '9' {
		p.i++
		digits()
		float = true
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		e := p.i
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
			p.i++
		}
		if digits() == 0 {
			p.i = e // as Python's scanner: the number ends before the e
		} else {
			float = true
		}
	}
	text := string(p.s[start:p.i])
	var zero bool
	if float {
		f, _ := strconv.ParseFloat(text, 64) // ±Inf on overflow, as float()
		zero = f == 0
	} else {
		zero = strings.Trim(text, "-0") == ""
	}
	return pyValue{kind: "a number", truthy: !zero}, true
}

// qmCompute computes the id as get_machine_id() does where it has no
// cache: SHA-256 of "uuid:…|mac:…|disk:…|host:…|arch:…|cpu:…|mem:…"
// (identifiers it cannot read are left out), the first 32 hex digits. It
// declines wherever an input is random or depends on what is not known
// here (the Python build, the locale).
func qmCompute(m qmMachine) (string, string) {
	switch p := m.platform(); p {
	case "linux":
	case "win32":
		return "", "on Windows hardware.py reads the output of wmic, which is not reproduced here"
	default:
		return "", "on " + p + " hardware.py's system UUID is random: the file it reads exists on Linux only"
	}
	var ids []string

	// get_system_uuid(): product_uuid, else /proc/sys/kernel/random/uuid
	// or uuid4(), new on every read.
	f := m.read(qmProductUUID, qmFileLimit)
	if why := qmFileProblem(qmProductUUID, f); why != "" {
		return "", why
	} else if f.kind != "ok" {
		return "", qmProductUUID + " cannot be read, so hardware.py uses a random UUID"
	}
	text, why := pyText(qmProductUUID, f.data)
	if why != "" {
		return "", why
	}
	switch u := pyStrip(text); u {
	case "":
		return "", qmProductUUID + " is empty, so hardware.py uses a random UUID"
	case "unknown":
	default:
		ids = append(ids, "uuid:"+u)
	}

	path, why := qmExecPath(m)
	if why != "" {
		return "", why
	}
	mac, why := qmMAC(m, path)
	if why != "" {
		return "", why
	}
	ids = append(ids, "mac:"+mac)

	disk, why := qmDisk(m, path)
	if why != "" {
		return "", why
	}
	if disk != "" && disk != "unknown" {
		ids = append(ids, "disk:"+disk)
	}

	// platform.node() and platform.machine(): os.uname(), "unknown" as "".
	node, machine := m.uname()
	for _, u := range []struct{ prefix, name, value string }{{"host:", "the host name", node}, {"arch:", "the machine name", machine}} {
		if why := qmASCII(u.name, []byte(u.value)); why != "" {
			return "", why
		}
		if u.value != "" && u.value != "unknown" {
			ids = append(ids, u.prefix+u.value)
		}
	}

	cpu, why := qmProcessor(m, path)
	if why != "" {
		return "", why
	}
	if len(cpu) > 5 {
		ids = append(ids, "cpu:"+cpu)
	}

	mem, why := qmMemTotal(m)
	if why != "" {
		return "", why
	}
	if mem != "" {
		ids = append(ids, "mem:"+mem)
	}
	sum := sha256.Sum256([]byte(strings.Join(ids, "|")))
	return hex.EncodeToString(sum[:])[:32], ""
}

// qmFileProblem declines a file Python would block on or that is too
// large to be what hardware.py reads.
func qmFileProblem(path string, f qmFile) string {
	switch f.kind {
	case "other":
		return path + " is not a regular file"
	case "large":
		return path + " is larger than " + strconv.Itoa(qmFileLimit) + " bytes"
	}
	return ""
}

// qmExecPath is the search path of subprocess and of uuid's command
// lookup: $PATH, else os.defpath. A relative entry depends on
// get_machine_id()'s working directory.
func qmExecPath(m qmMachine) ([]string, string) {
	path, ok := m.getenv("PATH")
	if !ok {
		path = "/bin:/usr/bin"
	}
	dirs := strings.Split(path, ":")
	for _, d := range dirs {
		if !strings.HasPrefix(d, "/") {
			return nil, "PATH has a relative entry, whose meaning depends on get_machine_id()'s working directory"
		}
	}
	return dirs, ""
}

// qmFind is the program subprocess runs: the first dir/name this user may
// execute. present reports a candidate that exists but cannot be run.
func qmFind(m qmMachine, dirs []string, name string) (found string, present bool) {
	for _, d := range dirs {
		p := posixJoin(d, name)
		switch s := m.stat(p); {
		case s.Kind == "file" && s.Exec:
			return p, present
		case s.Kind != "":
			present = true
		}
	}
	return "", present
}

// qmMAC is get_mac_address(): uuid.getnode() as 12 upper-case hex digits
// in colon-separated pairs. Which interface getnode() reports depends on
// how Python was built (libuuid: the first interface with an IPv4
// address and a non-zero hardware address; without it, the first
// universally administered link/ether address `ip link` prints, else the
// first local one, else ifconfig's, else a random one), so it is
// reproduced only where every way gives the same interface: the one
// Ethernet interface, alone in having a hardware address, up, with an
// IPv4 address, and ip or ifconfig installed.
func qmMAC(m qmMachine, path []string) (string, string) {
	var cands []qmInterface
	ipv4 := 0
	for _, i := range m.interfaces() {
		ipv4 += i.IPv4
		if i.Type != 772 && (i.Type == 1 || qmNonZero(i.Address)) {
			cands = append(cands, i)
		}
	}
	switch len(cands) {
	case 0:
		return "", qmGetnode + "no network interface has a hardware address, so Python reports a random one"
	case 1:
	default:
		names := make([]string, len(cands))
		for k, i := range cands {
			names[k] = i.Name
		}
		sort.Strings(names)
		return "", qmGetnode + "more than one network interface (" + strings.Join(names, ", ") + ") is Ethernet or has a hardware address, and which one Python reports depends on how it was built"
	}
	i := cands[0]
	mac := strings.ToLower(i.Address)
	switch {
	case i.Type != 1 || !qmIsMAC(mac) || !qmNonZero(mac):
		return "", qmGetnode + i.Name + ", the one interface with a hardware address, has no Ethernet MAC"
	case !i.Up:
		return "", qmGetnode + i.Name + " is not up"
	case i.IPv4 == 0:
		return "", qmGetnode + i.Name + " has no IPv4 address, so libuuid does not see it"
	case ipv4 > qmIfconfLimit:
		return "", fmt.Sprintf("%sthere are %d IPv4 addresses, more than the %d libuuid reads", qmGetnode, ipv4, qmIfconfLimit)
	}
	tools := append(append([]string(nil), path...), "/sbin", "/usr/sbin")
	if ip, _ := qmFind(m, tools, "ip"); ip == "" {
		if ifconfig, _ := qmFind(m, tools, "ifconfig"); ifconfig == "" {
			return "", qmGetnode + "neither ip nor ifconfig is installed, so a Python built without libuuid reports a random MAC"
		}
	}
	return strings.ToUpper(mac), ""
}

func qmNonZero(addr string) bool {
	return strings.ContainsFunc(addr, func(r rune) bool { return r != '0' && r != ':' })
}

func qmIsMAC(s string) bool {
	if len(s) != 17 {
		return false
	}
	for k := 0; k < 17; k++ {
		if k%3 == 2 {
			if s[k] != ':' {
				return false
			}
		} else if !isHexDigit(s[k]) {
			return false
		}
	}
	return true
}

// qmDisk is get_disk_serial(): the first non-blank line of `lsblk -o
// SERIAL -n`; when lsblk is not found, exits non-zero or prints none,
// /sys/block/sda/device/serial; "unknown" when that cannot be read.
func qmDisk(m qmMachine, path []string) (string, string) {
	const cmd = "lsblk -o SERIAL -n"
	lsblk, present := qmFind(m, path, "lsblk")
	if lsblk == "" && present {
		return "", "lsblk is on PATH but cannot be run"
	}
	if lsblk != "" {
		r := m.run(lsblk, "lsblk", "-o", "SERIAL", "-n")
		if why := qmRunProblem(cmd, r); why != "" {
			return "", why
		}
		if r.Failed {
			return "", "lsblk is on PATH but cannot be run"
		}
		if r.Exit == 0 {
			out, why := pyText("the output of "+cmd, []byte(r.Stdout))
			if why != "" {
				return "", why
			}
			for _, line := range strings.Split(out, "\n") {
				if s := pyStrip(line); s != "" {
					return s, ""
				}
			}
		}
	}
	f := m.read(qmSdaSerial, qmFileLimit)
	if why := qmFileProblem(qmSdaSerial, f); why != "" {
		return "", why
	}
	if f.kind != "ok" {
		return "unknown", ""
	}
	text, why := pyText(qmSdaSerial, f.data)
	return pyStrip(text), why
}

// qmProcessor is platform.processor() on Linux: `uname -p`, stripped,
// "unknown" as ""; "" when uname cannot be run or fails.
func qmProcessor(m qmMachine, path []string) (string, string) {
	const cmd = "uname -p"
	uname, _ := qmFind(m, path, "uname")
	if uname == "" {
		return "", ""
	}
	r := m.run(uname, "uname", "-p")
	if why := qmRunProblem(cmd, r); why != "" {
		return "", why
	}
	if r.Failed || r.Exit != 0 {
		return "", ""
	}
	out, why := pyText("the output of "+cmd, []byte(r.Stdout))
	if why != "" {
		return "", why
	}
	if s := pyStrip(out); s != "unknown" {
		return s, ""
	}
	return "", ""
}

func qmRunProblem(cmd string, r qmRun) string {
	switch {
	case r.Timeout:
		return fmt.Sprintf("%s did not finish within %d seconds", cmd, qmTimeout)
	case r.Large:
		return fmt.Sprintf("%s printed more than %d bytes", cmd, qmOutputLimit)
	}
	return ""
}

// qmMemTotal is psutil.virtual_memory().total on Linux: MemTotal of
// /proc/meminfo × 1024, after psutil has read every line as "key value
// ..." with an integer value; "" when it is 0.
func qmMemTotal(m qmMachine) (string, string) {
	const bad = qmMeminfo + " is not as psutil reads it"
	f := m.read(qmMeminfo, qmProcLimit)
	if f.kind != "ok" || len(f.data) == 0 {
		return "", bad
	}
	total := ""
	// Python reads a binary file line by line: a last "\n" ends the last
	// line, it does not start an empty one.
	for _, line := range strings.Split(strings.TrimSuffix(string(f.data), "\n"), "\n") {
		fields := strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(" \t\r\v\f", r) })
		if len(fields) < 2 || strings.Trim(fields[1], "0123456789") != "" {
			return "", bad
		}
		if fields[0] == "MemTotal:" {
			total = fields[1]
		}
	}
	kb, err := strconv.ParseUint(total, 10, 64)
	if err != nil || kb > 1<<53 {
		return "", bad
	}
	if kb == 0 {
		return "", ""
	}
	return strconv.FormatUint(kb*1024, 10), ""
}

// qmASCII declines text that is not ASCII: Python decodes it by its
// locale (or as UTF-8), which is not known here.
func qmASCII(name string, b []byte) string {
	for _, c := range b {
		if c >= 0x80 {
			return name + " is not ASCII, and how Python decodes it depends on its version and locale"
		}
	}
	return ""
}

// pyText is a file or an output read in Python's text mode: ASCII only,
// and universal newlines ("\r\n" and "\r" read as "\n").
func pyText(name string, b []byte) (string, string) {
	if why := qmASCII(name, b); why != "" {
		return "", why
	}
	return strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\n"), "\r", "\n"), ""
}

// pyStrip is Python's str.strip(): it removes what str.isspace() calls
// space, which is Go's unicode.IsSpace plus U+001C to U+001F.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r >= 0x1c && r <= 0x1f || strings.ContainsRune(pySpace, r)
	})
}

const pySpace = "\t\n\v\f\r \x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

// posixJoin is os.path.join(dir, name) on POSIX.
func posixJoin(dir, name string) string {
	if dir == "" || strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

func posixParent(p string) string {
	i := strings.LastIndexByte(p, '/')
	switch {
	case i < 0:
		return p
	case strings.TrimLeft(p[:i], "/") == "":
		return p[:i+1] // the root, "/" or "//"
	}
	return p[:i]
}

// pathlibClean is str(pathlib.PurePosixPath(p)): repeated slashes and "."
// components removed, exactly two leading slashes kept.
func pathlibClean(p string) string {
	root := ""
	switch {
	case strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///"):
		root = "//"
	case strings.HasPrefix(p, "/"):
		root = "/"
	}
	var parts []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			parts = append(parts, c)
		}
	}
	if root == "" && len(parts) == 0 {
		return "."
	}
	return root + strings.Join(parts, "/")
}

// pyNormpath is posixpath.normpath.
func pyNormpath(p string) string {
	if p == "" {
		return "."
	}
	initial := 0
	switch {
	case strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///"):
		initial = 2
	case strings.HasPrefix(p, "/"):
		initial = 1
	}
	var parts []string
	for _, c := range strings.Split(p, "/") {
		switch {
		case c == "" || c == ".":
		case c != "..":
			parts = append(parts, c)
		case initial == 0 && len(parts) == 0 || len(parts) > 0 && parts[len(parts)-1] == "..":
			parts = append(parts, c)
		case len(parts) > 0:
			parts = parts[:len(parts)-1]
		}
	}
	out := strings.Repeat("/", initial) + strings.Join(parts, "/")
	if out == "" {
		return "."
	}
	return out
}
