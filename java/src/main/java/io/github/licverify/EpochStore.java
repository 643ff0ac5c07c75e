package io.github.licverify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The anti-rollback guard's memory: the highest epoch accepted per namespace, kept in a JSON file
 * written atomically, in the format of Go's {@code epochstore.File}, the npm package's Node store
 * and the Python package's {@code EpochStore}, and raised under the same lock file, so that
 * processes in any of these languages can share one file.
 *
 * <pre>{@code
 * EpochStore store = new EpochStore(Path.of(System.getProperty("user.home"), ".myapp", "epochs.json"));
 * StatusProofResult r = verifier.verifyStatusProof(proof,
 *         StatusProofOptions.builder(keys, Instant.now()).minEpoch(store.get("status")).build());
 * if (r.valid()) store.raiseTo("status", r.storeEpoch());
 * }</pre>
 *
 * <p>A store that cannot be read is an error, never "no epoch": reading damage as zero would let
 * an attacker roll back by corrupting the file. Every update writes a temporary file beside the
 * store, forces it to disk and renames it over the old one, so a crash leaves the old file or the
 * new one, never a torn one. An update takes the lock file {@code path + ".lock"} (RATIONALE.md,
 * "One lock file for every epoch store"): it creates the lock file exclusively (never through a
 * symbolic link planted there), reads the file again, writes it, and removes the lock file. A
 * raise that finds the lock held polls until it is free; a lock file modified over 10 seconds ago
 * was left by a process that died and is removed; after 30 seconds of waiting the raise throws.
 * {@link #get(String)} takes no lock. Thread-safe.
 *
 * <p>This library has no OS-keychain store: see RATIONALE.md, "The JVM binding: the module
 * compiled at build time, a shim for WASI, a file for epochs".
 */
public final class EpochStore {
    /** The largest epoch: documents carry epochs from 0 to 2^53 (the module's min_epoch bound). */
    public static final long MAX_EPOCH = 1L << 53;

    /** The largest store file read, in bytes: far more than any set of namespaces needs. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    static final long LOCK_STALE_AFTER_MILLIS = 10_000;
    static final long LOCK_GIVE_UP_AFTER_NANOS = 30_000_000_000L;
    static final long LOCK_POLL_MAX_MILLIS = 50;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;

    /**
     * A store kept in the file at {@code path}; nothing is read or written until used.
     *
     * @param path the JSON file; its directory is made (mode 0700) on the first raise
     */
    public EpochStore(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    /** @return the store's file */
    public Path path() {
        return path;
    }

    /**
     * The stored epoch of a namespace.
     *
     * @param namespace a non-empty name, such as "status" or "revocation"
     * @return the epoch, 0 when none is stored
     * @throws IOException when the file cannot be read or is damaged (never read as 0)
     */
    public synchronized long get(String namespace) throws IOException {
        checkNamespace(namespace);
        return read().getOrDefault(namespace, 0L);
    }

    /**
     * Stores {@code epoch} if it is higher than the stored one.
     *
     * @param namespace a non-empty name
     * @param epoch 0 to {@link #MAX_EPOCH}
     * @return the stored epoch afterwards: {@code max(stored, epoch)}
     * @throws IOException when the file cannot be read, is damaged, or cannot be written, or the
     *     lock stayed held for 30 seconds
     * @throws IllegalArgumentException for an empty namespace or an epoch out of range
     */
    public synchronized long raiseTo(String namespace, long epoch) throws IOException {
        checkNamespace(namespace);
        if (epoch < 0 || epoch > MAX_EPOCH) {
            throw new IllegalArgumentException("licverify: an epoch must be from 0 to 2^53, got " + epoch);
        }
        // stored epochs only rise: one not newer now never will be, and needs no lock or write
        long stored = read().getOrDefault(namespace, 0L);
        if (epoch <= stored) return stored;
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        FileLock lock = FileLock.take(path);
        try {
            // another process may have raised any namespace since
            Map<String, Long> epochs = read();
            stored = epochs.getOrDefault(namespace, 0L);
            if (epoch <= stored) return stored;
            epochs.put(namespace, epoch);
            write(epochs, lock, dir);
            return epoch;
        } finally {
            lock.release();
        }
    }

    private static void checkNamespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty()) throw new IllegalArgumentException("licverify: an epoch namespace must not be empty");
        try {
            Json.strictUtf8(namespace);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("licverify: an epoch namespace must be UTF-8 (it holds a lone surrogate)", e);
        }
    }

    private Map<String, Long> read() throws IOException {
        byte[] data;
        try (InputStream in = Files.newInputStream(path)) {
            data = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        }
        if (data.length > MAX_FILE_BYTES) throw damaged("is larger than " + MAX_FILE_BYTES + " bytes");
        return parse(data, path.toString());
    }

    /** Reads a store's {namespace: epoch} JSON, as Go's parseEpochs does; damage throws. */
    static Map<String, Long> parse(byte[] data, String where) throws IOException {
        if (data.length >= 3 && (data[0] & 0xff) == 0xef && (data[1] & 0xff) == 0xbb && (data[2] & 0xff) == 0xbf) {
            throw new IOException("licverify: epoch store " + where + " is damaged: it starts with a byte order mark");
        }
        Json.Node root;
        try {
            root = Json.parseLastWins(Json.strictUtf8(data));
        } catch (IllegalArgumentException e) {
            throw new IOException("licverify: epoch store " + where + " is damaged: " + e.getMessage(), e);
        }
        if (!(root.value instanceof Json.Obj)) {
            throw new IOException("licverify: epoch store " + where + " is damaged: not a JSON object");
        }
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Json.Node> e : root.obj().members.entrySet()) {
            Object v = e.getValue().value;
            Long epoch = null;
            // 42, 42.0 and 4.2e1 all are 42, as JavaScript's JSON.parse and Go's store read them
            if (v instanceof BigDecimal) {
                BigDecimal d = (BigDecimal) v;
                if (d.signum() >= 0 && d.compareTo(BigDecimal.valueOf(MAX_EPOCH)) <= 0 && d.stripTrailingZeros().scale() <= 0) {
                    epoch = d.longValueExact();
                }
            }
            if (epoch == null) {
                throw new IOException("licverify: epoch store " + where + " is damaged: " + JsonText.quote(e.getKey())
                        + " is " + e.getValue().raw() + ", not an integer from 0 to 2^53");
            }
            out.put(e.getKey(), epoch);
        }
        return out;
    }

    private IOException damaged(String what) {
        return new IOException("licverify: epoch store " + path + " " + what);
    }

    /**
     * The Go, Node and Python stores' layout: two-space indentation, names sorted, a final newline,
     * and {@code <>&} as they are (Go's encoder with SetEscapeHTML(false)).
     */
    static byte[] format(Map<String, Long> epochs) {
        TreeMap<byte[], String> sorted = new TreeMap<>(java.util.Arrays::compareUnsigned);
        for (String k : epochs.keySet()) sorted.put(k.getBytes(StandardCharsets.UTF_8), k);
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (String k : sorted.values()) {
            b.append(first ? "\n" : ",\n").append("  ").append(JsonText.quote(k, false)).append(": ").append(epochs.get(k));
            first = false;
        }
        b.append(first ? "}\n" : "\n}\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void write(Map<String, Long> epochs, FileLock lock, Path dir) throws IOException {
        byte[] rnd = new byte[6];
        RANDOM.nextBytes(rnd);
        Path tmp = dir.resolve(path.getFileName() + "." + ProcessHandle.current().pid() + "." + hex(rnd) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                out.write(format(epochs));
                out.flush();
                ch.force(true);
            }
            restrict(tmp);
            if (!lock.held()) {
                throw new IOException("licverify: epoch store " + path + ": its lock " + lock.name
                        + " was taken over, held longer than 10 s; nothing written");
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDir(dir);
    }

    /** Mode 0600 where the file system has POSIX permissions. */
    private static void restrict(Path f) {
        try {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not POSIX: the directory's permissions decide
        }
    }

    /** The rename is durable once the directory entry is on disk (POSIX); elsewhere best effort. */
    private static void syncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported on this platform
        }
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }

    /** A held lock file: {@code text} is what this holder wrote in it. */
    static final class FileLock {
        final Path name;
        final byte[] text;

        private FileLock(Path name, byte[] text) {
            this.name = name;
            this.text = text;
        }

        /** Takes the lock of the epoch file at path, whose directory must exist. */
        static FileLock take(Path path) throws IOException {
            Path name = path.resolveSibling(path.getFileName() + ".lock");
            byte[] token = new byte[16];
            RANDOM.nextBytes(token);
            byte[] text = ("{\"pid\":" + ProcessHandle.current().pid() + ",\"token\":\"" + hex(token) + "\"}\n")
                    .getBytes(StandardCharsets.US_ASCII);
            long giveUp = System.nanoTime() + LOCK_GIVE_UP_AFTER_NANOS;
            long pause = 1;
            while (true) {
                try {
                    // CREATE_NEW is O_EXCL: it never follows a symbolic link planted at the name
                    try (OutputStream out = Files.newOutputStream(name, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                        out.write(text);
                    } catch (IOException e) {
                        if (e instanceof FileAlreadyExistsException) throw e;
                        Files.deleteIfExists(name);
                        throw new IOException("licverify: epoch store " + path + ": locking it: writing " + name + ": " + e, e);
                    }
                    restrict(name);
                    return new FileLock(name, text);
                } catch (FileAlreadyExistsException held) {
                    // someone holds it: below
                }
                BasicFileAttributes seen;
                try {
                    seen = Files.readAttributes(name, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // released in between
                }
                if (!seen.isRegularFile()) {
                    throw new IOException("licverify: epoch store " + path + ": locking it: " + name + " is not a regular file; remove it");
                }
                long age = System.currentTimeMillis() - seen.lastModifiedTime().toMillis();
                if (age > LOCK_STALE_AFTER_MILLIS || age < -LOCK_STALE_AFTER_MILLIS) {
                    breakStale(name, seen);
                    continue;
                }
                if (System.nanoTime() > giveUp) {
                    throw new IOException("licverify: epoch store " + path + ": locking it: " + name
                            + " stayed held for 30 s; remove it if no process is raising an epoch");
                }
                try {
                    Thread.sleep(pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("licverify: epoch store " + path + ": interrupted while waiting for its lock", e);
                }
                pause = Math.min(2 * pause, LOCK_POLL_MAX_MILLIS);
            }
        }

        /** Removes the stale lock file seen, unless it was replaced since: the one that replaced it is fresh. */
        private static void breakStale(Path name, BasicFileAttributes seen) {
            try {
                BasicFileAttributes now = Files.readAttributes(name, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Object k1 = now.fileKey(), k0 = seen.fileKey();
                FileTime m1 = now.lastModifiedTime(), m0 = seen.lastModifiedTime();
                if (Objects.equals(k1, k0) && m1.equals(m0)) Files.deleteIfExists(name);
            } catch (IOException e) {
                // gone already, or removed by another waiter: try again
            }
        }

        /** Whether the lock file is still this holder's: one slower than 10 s may have lost it. */
        boolean held() {
            try {
                return java.util.Arrays.equals(Files.readAllBytes(name), text);
            } catch (IOException e) {
                return false;
            }
        }

        void release() {
            if (held()) {
                try {
                    Files.deleteIfExists(name);
                } catch (IOException e) {
                    // left behind: it goes stale
                }
            }
        }
    }
}
