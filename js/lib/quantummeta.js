// QuantumMeta's machine id: what get_machine_id() of the PyPI package
// quantummeta-license 1.1.1 gives on this machine, the id a .qkey license
// is bound to, by the rules of docs/formats.md ("QuantumMeta's machine
// id"), which the Go collector (host.CollectQuantumMetaMachineID) and the
// Python one (collect_quantummeta_machine_id) follow too; all three run on
// testvectors/fingerprint/quantummeta.json. The rules read the machine
// through an object (this one, or a fixture's) and never write.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

// Limits on what is read: QuantumMeta writes {"machine_id": "<32 hex
// digits>"}, 50 bytes; sysfs files are one line; the commands print a line
// per disk.
const cacheLimit = 4096;
const fileLimit = 4096;
const procLimit = 1 << 16;
const outputLimit = 1 << 16;
const timeoutSeconds = 10;
const maxDepth = 64;
// libuuid reads the IPv4 addresses (SIOCGIFCONF) into 1024 bytes: 25 of them.
const ifconfLimit = 25;

const productUUID = '/sys/class/dmi/id/product_uuid';
const sdaSerial = '/sys/block/sda/device/serial';
const meminfo = '/proc/meminfo';
const getnode = 'uuid.getnode() is not reproducible here: ';

// What Python's str.strip() removes (str.isspace()).
const pySpace = /^[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const pyStrip = (s) => s.replace(pySpace, '');

/**
 * quantumMeta follows get_machine_id(): the cache, then a computed id.
 * `m` answers platform(), getenv(k), stat(p) ({kind, exec, writable}),
 * read(p, limit) ({kind, data: Uint8Array}), run(path, name, args) (a
 * promise of {exit, stdout: Uint8Array, timeout, large, failed}),
 * interfaces() and uname().
 */
export async function quantumMeta(m) {
  const [file, why] = cacheFile(m);
  if (why) return { reason: why };
  const [id, decline, state] = readCache(m, file);
  if (id) return { quantummeta_machine_id: id, source: 'cache', path: file };
  if (decline) return { path: file, reason: decline };
  const [computed, reason] = await compute(m);
  if (reason) return { path: file, reason: `${state}, so get_machine_id() computes a new id, and ${reason}` };
  return { quantummeta_machine_id: computed, source: 'computed', path: file };
}

// -- where the cache is

// cacheFile is the file _get_cache_file() names: machine_id.json in
// platformdirs.user_cache_dir("quantummeta"), which it creates, or
// quantummeta_machine_id.json in tempfile.gettempdir() when that fails.
// Where platformdirs' versions (3.0.0 and later) differ, it declines.
function cacheFile(m) {
  const p = m.platform();
  if (p === 'win32') return windowsCacheFile(m);
  if (p === 'android' || p === 'ios' || p === '') return ['', `QuantumMeta's cache is not looked for on ${p}`];
  if (m.getenv('ANDROID_DATA') === '/data' && m.getenv('ANDROID_ROOT') === '/system') {
    return ['', "ANDROID_DATA and ANDROID_ROOT are set: platformdirs may choose Android's directories"];
  }
  const xdg = m.getenv('XDG_CACHE_HOME') ?? '';
  let dir = '';
  if (p === 'darwin') {
    if (xdg.startsWith('/')) {
      return ['', 'XDG_CACHE_HOME is set: newer platformdirs versions put the cache there on macOS, older ones do not'];
    }
  } else if (xdg.startsWith('/')) {
    dir = posixJoin(xdg, 'quantummeta');
  } else if (pyStrip(xdg) !== '') {
    return ['', 'XDG_CACHE_HOME is set but not an absolute path: platformdirs versions differ on what that means'];
  }
  if (dir === '') {
    const home = m.getenv('HOME');
    if (home === undefined || !home.startsWith('/')) {
      return ['', 'HOME is not set to an absolute path: platformdirs versions differ on where the home directory then is'];
    }
    dir = home.replace(/\/+$/, '') + (p === 'darwin' ? '/Library/Caches/quantummeta' : '/.cache/quantummeta');
  }
  dir = pathlibClean(dir);
  if (canCreate(m, dir)) return [posixJoin(dir, 'machine_id.json'), ''];
  return tempFile(m, dir);
}

// canCreate predicts Path(dir).mkdir(parents=True, exist_ok=True) without
// creating anything: it succeeds on a directory, and on a missing one whose
// nearest existing ancestor is a directory this user may add entries to.
function canCreate(m, dir) {
  const kind = m.stat(dir).kind;
  if (kind === 'dir') return true;
  if (kind !== '') return false;
  for (let p = posixParent(dir); ; p = posixParent(p)) {
    const s = m.stat(p);
    if (s.kind !== '') return s.kind === 'dir' && s.writable;
    if (posixParent(p) === p) return false;
  }
}

// tempFile is the fallback in tempfile.gettempdir(): the first of $TMPDIR,
// $TEMP, $TMP, /tmp, /var/tmp, /usr/tmp that is a directory this user may
// create files in.
function tempFile(m, dir) {
  const cannot = `QuantumMeta cannot create ${dir}, so it keeps its cache in the temporary directory, and `;
  const cands = [];
  for (const k of ['TMPDIR', 'TEMP', 'TMP']) {
    const v = m.getenv(k) ?? '';
    if (v !== '') cands.push([k, v]);
  }
  cands.push(['', '/tmp'], ['', '/var/tmp'], ['', '/usr/tmp']);
  for (const [k, v] of cands) {
    // A relative one is made absolute from get_machine_id()'s working directory.
    if (!v.startsWith('/')) return ['', `${cannot}${k} is a relative path`];
    const d = normpath(v);
    const s = m.stat(d);
    if (s.kind === 'dir' && s.writable) return [posixJoin(d, 'quantummeta_machine_id.json'), ''];
  }
  return ['', `${cannot}none of the usual ones is usable`];
}

// windowsCacheFile: platformdirs' Windows user_cache_dir is the Local
// AppData known folder (LOCALAPPDATA names it), appauthor (the app name
// when not given), the app name and "Cache". One that os.path.normpath
// would change is declined.
function windowsCacheFile(m) {
  if (pyStrip(m.getenv('WIN_PD_OVERRIDE_LOCAL_APPDATA') ?? '') !== '') {
    return ['', 'WIN_PD_OVERRIDE_LOCAL_APPDATA is set: newer platformdirs versions put the cache there, older ones do not'];
  }
  const base = m.getenv('LOCALAPPDATA') ?? '';
  if (!/^[A-Za-z]:(\\[^\\/:*?"<>|\x00-\x1f]+)+$/.test(base) || base.split('\\').some((c) => c === '.' || c === '..')) {
    return ['', 'LOCALAPPDATA is not a plain absolute path (such as C:\\Users\\me\\AppData\\Local)'];
  }
  const dir = `${base}\\quantummeta\\quantummeta\\Cache`;
  const kind = m.stat(dir).kind;
  if (kind === 'dir' || kind === '') return [`${dir}\\machine_id.json`, ''];
  return ['', `QuantumMeta cannot create ${dir}, so it keeps its cache in the temporary directory, which is not looked for on Windows`];
}

// -- what the cache holds

// readCache is what _load_cached_machine_id() makes of the file: an id to
// report, a reason to decline what it returns, or (neither) why
// get_machine_id() computes a new id.
function readCache(m, file) {
  const f = m.read(file, cacheLimit);
  switch (f.kind) {
    case 'missing':
      return ['', '', `there is no ${file}`];
    case 'error':
    case 'dir':
      return ['', '', `${file} cannot be read`];
    case 'other':
      return ['', `${file} is not a regular file`, ''];
    case 'large':
      return ['', `${file} is larger than ${cacheLimit} bytes`, ''];
  }
  return classify(file, f.data);
}

/**
 * classify applies json.load and data.get('machine_id') to a cache file's
 * bytes: a non-empty string of 32 hex digits is reported as it is; another
 * truthy value is declined (get_machine_id() returns it, and no .qkey's
 * machine id, 32 hex digits, equals it); no object, no member or a falsy
 * one means get_machine_id() computes a new id. Returns [id, decline,
 * recompute].
 */
export function classify(file, data) {
  if (data.some((b) => b >= 0x80)) {
    return ['', `${file} is not ASCII, and how Python decodes it depends on its version and locale`, ''];
  }
  if (depth(data) > maxDepth) return ['', `${file} nests deeper than ${maxDepth} levels`, ''];
  const p = new PyJSON(latin1(data));
  p.ws();
  const v = p.value();
  p.ws();
  if (v === null || p.i !== p.s.length) return ['', '', `${file} is not JSON`];
  if (v.kind !== 'an object') return ['', '', `${file} is not a JSON object`];
  const mid = v.member;
  if (mid === undefined || !mid.truthy) return ['', '', `${file} holds no machine_id, or an empty one`];
  if (mid.kind !== 'a string') {
    return ['', `${file} holds a machine_id that is ${mid.kind}, not a string: get_machine_id() returns it, and no license's machine id equals it`, ''];
  }
  if (!/^[0-9a-fA-F]{32}$/.test(mid.str)) {
    return ['', `${file} holds a machine_id that is not 32 hex digits: get_machine_id() returns it as it is, and no .qkey's machine id equals it`, ''];
  }
  return [mid.str, '', ''];
}

// depth is the deepest nesting of [ and { outside strings, counted before
// parsing so that every runtime declines the same files.
function depth(s) {
  let d = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++d);
    else if (c === 0x5d || c === 0x7d) d--;
  }
  return deepest;
}

// PyJSON parses ASCII JSON as Python's json module does (its C scanner,
// strict): RFC 8259 plus NaN, Infinity and -Infinity; a later duplicate
// member replaces an earlier one. It keeps what get_machine_id() looks at:
// a value's kind and truthiness, and the top-level "machine_id" member.
// value() returns null for text that is not JSON.
class PyJSON {
  constructor(s) {
    this.s = s;
    this.i = 0;
  }

  ws() {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }

  next(c) {
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }

  lit(text, v) {
    if (!this.s.startsWith(text, this.i)) return null;
    this.i += text.length;
    return v;
  }

  value() {
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const str = this.string();
      return str === null ? null : { kind: 'a string', truthy: str !== '', str };
    }
    if (c === 'n') return this.lit('null', { kind: 'null', truthy: false });
    if (c === 't') return this.lit('true', { kind: 'true', truthy: true });
    if (c === 'f') return this.lit('false', { kind: 'false', truthy: false });
    if (c === 'N') return this.lit('NaN', { kind: 'a number', truthy: true });
    if (c === 'I') return this.lit('Infinity', { kind: 'a number', truthy: true });
    if (c === '-' && this.s[this.i + 1] === 'I') return this.lit('-Infinity', { kind: 'a number', truthy: true });
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    return null;
  }

  object() {
    this.i++;
    const v = { kind: 'an object', truthy: false, member: undefined };
    this.ws();
    if (this.next('}')) return v;
    for (;;) {
      if (this.s[this.i] !== '"') return null;
      const key = this.string();
      if (key === null) return null;
      this.ws();
      if (!this.next(':')) return null;
      this.ws();
      const val = this.value();
      if (val === null) return null;
      v.truthy = true;
      if (key === 'machine_id') v.member = val;
      this.ws();
      if (this.next('}')) return v;
      if (!this.next(',')) return null;
      this.ws();
    }
  }

  array() {
    this.i++;
    const v = { kind: 'an array', truthy: false };
    this.ws();
    if (this.next(']')) return v;
    for (;;) {
      if (this.value() === null) return null;
      v.truthy = true;
      this.ws();
      if (this.next(']')) return v;
      if (!this.next(',')) return null;
      this.ws();
    }
  }

  // string decodes a string as Python does (lone surrogates kept).
  string() {
    this.i++;
    let out = '';
    const hex4 = (at) => (/^[0-9a-fA-F]{4}$/.test(this.s.slice(at, at + 4)) ? parseInt(this.s.slice(at, at + 4), 16) : -1);
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c < ' ') return null;
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const e = this.s[this.i + 1];
      this.i += 2;
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      if (e !== 'u') return null;
      const r = hex4(this.i);
      if (r < 0) return null;
      this.i += 4;
      out += String.fromCharCode(r);
      if (r >= 0xd800 && r <= 0xdbff && this.s[this.i] === '\\' && this.s[this.i + 1] === 'u') {
        const r2 = hex4(this.i + 2);
        if (r2 < 0) return null;
        if (r2 >= 0xdc00 && r2 <= 0xdfff) {
          out += String.fromCharCode(r2);
          this.i += 6;
        }
      }
    }
    return null;
  }

  // number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?; it is
  // falsy when its value is zero (an int of zeros, or a float that is 0.0,
  // which "1e-400" is too).
  number() {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/.exec(this.s.slice(this.i));
    if (m === null) return null;
    this.i += m[0].length;
    return { kind: 'a number', truthy: Number(m[0]) !== 0 };
  }
}

// -- computing it

// compute computes the id as get_machine_id() does without a cache:
// SHA-256 of "uuid:…|mac:…|disk:…|host:…|arch:…|cpu:…|mem:…" (identifiers
// it cannot read left out), the first 32 hex digits. It declines wherever
// an input is random or depends on what is not known here (the Python
// build, the locale). Returns [id, why].
async function compute(m) {
  const p = m.platform();
  if (p === 'win32') return ['', 'on Windows hardware.py reads the output of wmic, which is not reproduced here'];
  if (p !== 'linux') return ['', `on ${p} hardware.py's system UUID is random: the file it reads exists on Linux only`];
  const ids = [];

  // get_system_uuid(): product_uuid, else /proc/sys/kernel/random/uuid or
  // uuid4(), new on every read.
  const f = m.read(productUUID, fileLimit);
  let why = fileProblem(productUUID, f);
  if (why) return ['', why];
  if (f.kind !== 'ok') return ['', `${productUUID} cannot be read, so hardware.py uses a random UUID`];
  let text;
  [text, why] = pyText(productUUID, f.data);
  if (why) return ['', why];
  const u = pyStrip(text);
  if (u === '') return ['', `${productUUID} is empty, so hardware.py uses a random UUID`];
  if (u !== 'unknown') ids.push(`uuid:${u}`);

  const [path, pathWhy] = execPath(m);
  if (pathWhy) return ['', pathWhy];
  const [mac, macWhy] = macAddress(m, path);
  if (macWhy) return ['', macWhy];
  ids.push(`mac:${mac}`);

  const [disk, diskWhy] = await diskSerial(m, path);
  if (diskWhy) return ['', diskWhy];
  if (disk !== '' && disk !== 'unknown') ids.push(`disk:${disk}`);

  // platform.node() and platform.machine(): os.uname(), "unknown" as "".
  const [node, machine] = m.uname();
  for (const [prefix, name, value] of [['host:', 'the host name', node], ['arch:', 'the machine name', machine]]) {
    if (/[^\x00-\x7f]/.test(value)) return ['', notASCII(name)];
    if (value !== '' && value !== 'unknown') ids.push(prefix + value);
  }

  const [cpu, cpuWhy] = await processor(m, path);
  if (cpuWhy) return ['', cpuWhy];
  if (cpu.length > 5) ids.push(`cpu:${cpu}`);

  const [mem, memWhy] = memTotal(m);
  if (memWhy) return ['', memWhy];
  if (mem !== '') ids.push(`mem:${mem}`);
  return [createHash('sha256').update(ids.join('|')).digest('hex').slice(0, 32), ''];
}

// fileProblem declines a file Python would block on, or too large to be
// what hardware.py reads.
function fileProblem(path, f) {
  if (f.kind === 'other') return `${path} is not a regular file`;
  if (f.kind === 'large') return `${path} is larger than ${fileLimit} bytes`;
  return '';
}

// execPath is the search path of subprocess and of uuid's command lookup:
// $PATH, else os.defpath. A relative entry depends on get_machine_id()'s
// working directory.
function execPath(m) {
  const dirs = (m.getenv('PATH') ?? '/bin:/usr/bin').split(':');
  if (dirs.some((d) => !d.startsWith('/'))) {
    return [[], "PATH has a relative entry, whose meaning depends on get_machine_id()'s working directory"];
  }
  return [dirs, ''];
}

// find is the program subprocess runs: the first dir/name this user may
// execute; and whether a candidate exists that cannot be run.
function find(m, dirs, name) {
  let present = false;
  for (const d of dirs) {
    const p = posixJoin(d, name);
    const s = m.stat(p);
    if (s.kind === 'file' && s.exec) return [p, present];
    if (s.kind !== '') present = true;
  }
  return ['', present];
}

// macAddress is get_mac_address(): uuid.getnode() as upper-case hex pairs.
// Which interface getnode() reports depends on how Python was built
// (libuuid: the first interface with an IPv4 address and a non-zero
// hardware address; without it, `ip link`'s first universally administered
// link/ether address, else its first local one, else ifconfig's, else a
// random one), so it is reproduced only where every way gives the same
// interface: the one Ethernet interface, alone in having a hardware
// address, up, with an IPv4 address, and ip or ifconfig installed.
function macAddress(m, path) {
  const nonZero = (a) => /[^0:]/.test(a);
  const cands = [];
  let ipv4 = 0;
  for (const i of m.interfaces()) {
    ipv4 += i.ipv4;
    if (i.type !== 772 && (i.type === 1 || nonZero(i.address))) cands.push(i);
  }
  if (cands.length === 0) return ['', `${getnode}no network interface has a hardware address, so Python reports a random one`];
  if (cands.length > 1) {
    const names = cands.map((i) => i.name).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return ['', `${getnode}more than one network interface (${names.join(', ')}) is Ethernet or has a hardware address, and which one Python reports depends on how it was built`];
  }
  const i = cands[0];
  const mac = i.address.toLowerCase();
  if (i.type !== 1 || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || !nonZero(mac)) {
    return ['', `${getnode}${i.name}, the one interface with a hardware address, has no Ethernet MAC`];
  }
  if (!i.up) return ['', `${getnode}${i.name} is not up`];
  if (i.ipv4 === 0) return ['', `${getnode}${i.name} has no IPv4 address, so libuuid does not see it`];
  if (ipv4 > ifconfLimit) return ['', `${getnode}there are ${ipv4} IPv4 addresses, more than the ${ifconfLimit} libuuid reads`];
  const tools = [...path, '/sbin', '/usr/sbin'];
  if (!find(m, tools, 'ip')[0] && !find(m, tools, 'ifconfig')[0]) {
    return ['', `${getnode}neither ip nor ifconfig is installed, so a Python built without libuuid reports a random MAC`];
  }
  return [mac.toUpperCase(), ''];
}

// diskSerial is get_disk_serial(): the first non-blank line of `lsblk -o
// SERIAL -n`; when lsblk is not found, exits non-zero or prints none,
// /sys/block/sda/device/serial; "unknown" when that cannot be read.
async function diskSerial(m, path) {
  const cmd = 'lsblk -o SERIAL -n';
  const [lsblk, present] = find(m, path, 'lsblk');
  if (!lsblk && present) return ['', 'lsblk is on PATH but cannot be run'];
  if (lsblk) {
    const r = await m.run(lsblk, 'lsblk', ['-o', 'SERIAL', '-n']);
    const why = runProblem(cmd, r);
    if (why) return ['', why];
    if (r.failed) return ['', 'lsblk is on PATH but cannot be run'];
    if (r.exit === 0) {
      const [out, outWhy] = pyText(`the output of ${cmd}`, r.stdout);
      if (outWhy) return ['', outWhy];
      for (const line of out.split('\n')) {
        if (pyStrip(line) !== '') return [pyStrip(line), ''];
      }
    }
  }
  const f = m.read(sdaSerial, fileLimit);
  const why = fileProblem(sdaSerial, f);
  if (why) return ['', why];
  if (f.kind !== 'ok') return ['unknown', ''];
  const [text, textWhy] = pyText(sdaSerial, f.data);
  return [pyStrip(text), textWhy];
}

// processor is platform.processor() on Linux: `uname -p`, stripped,
// "unknown" as ""; "" when uname cannot be run or fails.
async function processor(m, path) {
  const cmd = 'uname -p';
  const [uname] = find(m, path, 'uname');
  if (!uname) return ['', ''];
  const r = await m.run(uname, 'uname', ['-p']);
  const why = runProblem(cmd, r);
  if (why) return ['', why];
  if (r.failed || r.exit !== 0) return ['', ''];
  const [out, outWhy] = pyText(`the output of ${cmd}`, r.stdout);
  if (outWhy) return ['', outWhy];
  const s = pyStrip(out);
  return [s === 'unknown' ? '' : s, ''];
}

function runProblem(cmd, r) {
  if (r.timeout) return `${cmd} did not finish within ${timeoutSeconds} seconds`;
  if (r.large) return `${cmd} printed more than ${outputLimit} bytes`;
  return '';
}

// memTotal is psutil.virtual_memory().total on Linux: MemTotal of
// /proc/meminfo × 1024, after psutil has read every line as "key value
// ..." with an integer value; "" when it is 0.
function memTotal(m) {
  const bad = `${meminfo} is not as psutil reads it`;
  const f = m.read(meminfo, procLimit);
  if (f.kind !== 'ok' || f.data.length === 0) return ['', bad];
  let total = '';
  // As Latin-1, so that only ASCII white space splits a line.
  const text = latin1(f.data).replace(/\n$/, '');
  for (const line of text.split('\n')) {
    const fields = line.split(/[ \t\r\v\f]+/).filter((x) => x !== '');
    if (fields.length < 2 || !/^[0-9]+$/.test(fields[1])) return ['', bad];
    if (fields[0] === 'MemTotal:') total = fields[1];
  }
  if (total === '' || BigInt(total) > 2n ** 53n) return ['', bad];
  const kb = BigInt(total);
  return [kb === 0n ? '' : String(kb * 1024n), ''];
}

// latin1 is bytes as a string of the same length, one byte a character.
const latin1 = (data) => Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');

const notASCII = (name) => `${name} is not ASCII, and how Python decodes it depends on its version and locale`;

// pyText is a file or an output read in Python's text mode: ASCII only,
// and universal newlines ("\r\n" and "\r" read as "\n").
function pyText(name, data) {
  if (data.some((b) => b >= 0x80)) return ['', notASCII(name)];
  return [latin1(data).replace(/\r\n?/g, '\n'), ''];
}

// -- paths

function posixJoin(dir, name) {
  return dir === '' || dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function posixParent(p) {
  const i = p.lastIndexOf('/');
  if (i < 0) return p;
  if (p.slice(0, i).replace(/^\/+/, '') === '') return p.slice(0, i + 1);
  return p.slice(0, i);
}

// pathlibClean is str(pathlib.PurePosixPath(p)): repeated slashes and "."
// components removed, exactly two leading slashes kept.
function pathlibClean(p) {
  const root = p.startsWith('//') && !p.startsWith('///') ? '//' : p.startsWith('/') ? '/' : '';
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  return root + parts.join('/') || '.';
}

// normpath is posixpath.normpath.
function normpath(p) {
  if (p === '') return '.';
  const initial = p.startsWith('//') && !p.startsWith('///') ? 2 : p.startsWith('/') ? 1 : 0;
  const parts = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c !== '..') parts.push(c);
    else if ((initial === 0 && parts.length === 0) || parts.at(-1) === '..') parts.push(c);
    else if (parts.length > 0) parts.pop();
  }
  return '/'.repeat(initial) + parts.join('/') || '.';
}

// -- this machine

const nodeMachine = {
  platform: () => os.platform(),
  getenv: (k) => process.env[k],
  stat(path) {
    let st;
    try {
      st = fs.statSync(path);
    } catch (err) {
      return { kind: err.code === 'ENOENT' ? '' : 'error' };
    }
    const can = (mode) => {
      try {
        fs.accessSync(path, mode);
        return true;
      } catch {
        return false;
      }
    };
    // Windows decides by ACLs, which access() does not model; the user's
    // own Local AppData is taken to be writable.
    if (st.isDirectory()) return { kind: 'dir', writable: os.platform() === 'win32' || can(fs.constants.W_OK | fs.constants.X_OK) };
    if (st.isFile()) return { kind: 'file', exec: can(fs.constants.X_OK) };
    return { kind: 'other' };
  },
  read(path, limit) {
    let fd;
    try {
      // O_NONBLOCK: an open of a FIFO does not wait for a writer.
      fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    } catch (err) {
      return { kind: err.code === 'ENOENT' ? 'missing' : 'error' };
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) return { kind: 'dir' };
      if (!st.isFile()) return { kind: 'other' };
      const buf = Buffer.alloc(limit + 1);
      let n = 0;
      while (n <= limit) {
        const got = fs.readSync(fd, buf, n, limit + 1 - n, null);
        if (got === 0) break;
        n += got;
      }
      return n > limit ? { kind: 'large' } : { kind: 'ok', data: buf.subarray(0, n) };
    } catch {
      return { kind: 'error' };
    } finally {
      fs.closeSync(fd);
    }
  },
  run(path, name, args) {
    return new Promise((resolve) => {
      let settled = false;
      let timer;
      const done = (r) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      let child;
      try {
        child = spawn(path, args, { argv0: name, stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        done({ failed: true });
        return;
      }
      const chunks = [];
      let size = 0;
      // Settled at the timeout even if a child it left holds the output open.
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        done({ timeout: true });
      }, timeoutSeconds * 1000);
      child.stdout.on('data', (b) => {
        if (size <= outputLimit) chunks.push(b);
        size += b.length;
      });
      child.on('error', () => done({ failed: true }));
      child.on('close', (code) => {
        if (size > outputLimit) done({ large: true });
        else done({ exit: code ?? -1, stdout: Buffer.concat(chunks) });
      });
    });
  },
  // interfaces lists /sys/class/net with each interface's ARPHRD type,
  // hardware address, flags and operational state, and its IPv4 addresses
  // (os.networkInterfaces(), whose "eth0:1" labels belong to eth0).
  interfaces() {
    let names;
    try {
      names = fs.readdirSync('/sys/class/net');
    } catch {
      return [];
    }
    const ipv4 = {};
    for (const [label, addrs] of Object.entries(os.networkInterfaces())) {
      const name = label.split(':')[0];
      for (const a of addrs ?? []) if (a.family === 'IPv4' || a.family === 4) ipv4[name] = (ipv4[name] ?? 0) + 1;
    }
    const text = (dir, f) => {
      try {
        return fs.readFileSync(`${dir}/${f}`, 'utf8').trim();
      } catch {
        return '';
      }
    };
    const out = [];
    for (const name of names) {
      const dir = `/sys/class/net/${name}`;
      const type = text(dir, 'type');
      if (!/^[0-9]+$/.test(type)) continue; // not an interface (bonding_masters)
      const flags = parseInt(text(dir, 'flags').replace(/^0x/, ''), 16) || 0;
      const oper = text(dir, 'operstate');
      // IFF_RUNNING is IFF_UP with an operational state of up or unknown
      // (the kernel's dev_get_flags).
      out.push({
        name,
        type: Number(type),
        address: text(dir, 'address'),
        up: (flags & 1) !== 0 && (oper === 'up' || oper === 'unknown'),
        ipv4: ipv4[name] ?? 0,
      });
    }
    return out;
  },
  uname: () => [os.hostname(), os.machine()],
};

/**
 * collectQuantumMetaMachineId reports the machine id QuantumMeta's
 * get_machine_id() gives on this machine (see index.d.ts).
 */
export function collectQuantumMetaMachineId() {
  return quantumMeta(nodeMachine);
}
