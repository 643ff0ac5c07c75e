package io.github.licverify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file epoch store: Go's format and rules (epochstore/file.go), the lock shared with every other store. */
class EpochStoreTest {
    private static void write(Path p, String text) throws IOException {
        Files.write(p, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void missingFileIsZeroAndEpochsOnlyRise(@TempDir Path dir) throws Exception {
        EpochStore s = new EpochStore(dir.resolve("sub/epochs.json"));
        assertEquals(0, s.get("a"));
        assertEquals(5, s.raiseTo("a", 5));
        assertEquals(5, s.raiseTo("a", 3), "a lower epoch leaves the stored one");
        assertEquals(9, s.raiseTo("<b&c>", 9));
        assertEquals(5, s.get("a"));
        // Go's layout: two-space indentation, names sorted, <>& unescaped, a final newline
        assertEquals("{\n  \"<b&c>\": 9,\n  \"a\": 5\n}\n", Files.readString(dir.resolve("sub/epochs.json")));
        assertFalse(Files.exists(dir.resolve("sub/epochs.json.lock")), "the lock is released");
        assertEquals(EpochStore.MAX_EPOCH, s.raiseTo("a", EpochStore.MAX_EPOCH));
        assertThrows(IllegalArgumentException.class, () -> s.raiseTo("a", EpochStore.MAX_EPOCH + 1));
        assertThrows(IllegalArgumentException.class, () -> s.raiseTo("a", -1));
        assertThrows(IllegalArgumentException.class, () -> s.get(""));
        assertThrows(IllegalArgumentException.class, () -> s.get("\ud800"));
    }

    @Test
    void numberSpellingsAndRepeatsReadAsGoReadsThem(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("epochs.json");
        write(p, "{\"a\": 42.0, \"b\": 4.2e1, \"c\": -0, \"d\": 9007199254740992, \"e\": 1, \"e\": 5}");
        EpochStore s = new EpochStore(p);
        Map<String, Long> want = Map.of("a", 42L, "b", 42L, "c", 0L, "d", EpochStore.MAX_EPOCH, "e", 5L);
        for (Map.Entry<String, Long> e : want.entrySet()) assertEquals(e.getValue(), s.get(e.getKey()), e.getKey());
        write(p, "{}");
        assertEquals(0, s.get("a"));
    }

    @Test
    void damagedStoreIsAnErrorAndIsNeverReset(@TempDir Path dir) throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("empty", "");
        cases.put("spaces", " \n");
        cases.put("not JSON", "epochs");
        cases.put("truncated", "{\"a\": 1");
        cases.put("trailing data", "{\"a\": 1} {}");
        cases.put("array", "[1]");
        cases.put("null", "null");
        cases.put("number", "7");
        cases.put("string value", "{\"a\": \"7\"}");
        cases.put("null value", "{\"a\": null}");
        cases.put("object value", "{\"a\": {\"b\": 1}}");
        cases.put("negative", "{\"a\": -1}");
        cases.put("fraction", "{\"a\": 1.5}");
        cases.put("beyond 2^53", "{\"a\": 9007199254740993}");
        cases.put("huge", "{\"a\": 1e400}");
        cases.put("one bad member", "{\"a\": 3, \"b\": true}");
        cases.put("byte order mark", "\ufeff{}");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path p = dir.resolve(c.getKey().replace(' ', '-') + ".json");
            write(p, c.getValue());
            EpochStore s = new EpochStore(p);
            IOException e = assertThrows(IOException.class, () -> s.get("a"), c.getKey());
            assertTrue(e.getMessage().contains(p.toString()), c.getKey() + ": " + e.getMessage());
            assertThrows(IOException.class, () -> s.raiseTo("a", 100), c.getKey());
            assertEquals(c.getValue(), Files.readString(p), c.getKey() + ": the file is left as it was");
        }
        Path big = dir.resolve("big.json");
        Files.write(big, new byte[EpochStore.MAX_FILE_BYTES + 1]);
        assertThrows(IOException.class, () -> new EpochStore(big).get("a"));
    }

    @Test
    void aStaleLockIsBrokenAndAFreshOneWaitedFor(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("epochs.json");
        Path lock = dir.resolve("epochs.json.lock");
        write(lock, "held");
        Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        EpochStore s = new EpochStore(p);
        assertEquals(3, s.raiseTo("a", 3), "a lock last modified a minute ago was left by a dead holder");
        assertFalse(Files.exists(lock));

        // a fresh lock held by another: the raise waits until it is released
        write(lock, "held");
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(300);
                Files.delete(lock);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        releaser.start();
        assertEquals(4, s.raiseTo("a", 4));
        releaser.join();
        assertEquals(4, s.get("a"));

        // a lock name that is not a regular file (a directory planted there) is an error
        Files.createDirectory(lock);
        IOException e = assertThrows(IOException.class, () -> s.raiseTo("a", 5));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertEquals(4, s.get("a"));
    }

    @Test
    void lockFileTextIsGos(@TempDir Path dir) throws Exception {
        EpochStore.FileLock l = EpochStore.FileLock.take(dir.resolve("e.json"));
        String text = Files.readString(dir.resolve("e.json.lock"));
        assertTrue(text.matches("\\{\"pid\":" + ProcessHandle.current().pid() + ",\"token\":\"[0-9a-f]{32}\"\\}\n"), text);
        assertTrue(l.held());
        write(dir.resolve("e.json.lock"), "taken over");
        assertFalse(l.held(), "a lock rewritten by another holder is no longer ours");
        l.release();
        assertArrayEquals("taken over".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("e.json.lock")),
                "release leaves another holder's lock alone");
    }

    /**
     * Java threads, Java processes and Python (and Node, when present) processes raising one file at
     * once, as epochstore's TestFileProcessesAcrossLanguages does: no raise is lost.
     */
    @Test
    void processesAcrossLanguagesLoseNoRaise(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("epochs.json");
        Path testdata = Repo.root().resolve("epochstore/testdata");
        int rounds = 20;
        List<List<String>> commands = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        commands.add(List.of(java, "-cp", cp, EpochRaiser.class.getName()));
        commands.add(List.of(java, "-cp", cp, EpochRaiser.class.getName()));
        boolean ci = "true".equals(System.getenv("CI"));
        if (onPath("python3") || ci) commands.add(List.of("python3", testdata.resolve("raise.py").toString()));
        if (onPath("node") || ci) commands.add(List.of("node", testdata.resolve("raise.mjs").toString()));
        int threads = 2;
        int n = commands.size() + threads;
        List<Process> procs = new ArrayList<>();
        for (int k = 0; k < commands.size(); k++) {
            List<String> cmd = new ArrayList<>(commands.get(k));
            cmd.addAll(List.of(p.toString(), Integer.toString(k), Integer.toString(n), Integer.toString(rounds)));
            procs.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = commands.size() + t;
            EpochStore s = new EpochStore(p); // a store object of its own: only the lock file orders them
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        s.raiseTo("own-" + k, i + 1);
                        s.raiseTo("shared", (long) i * n + k + 1);
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            ts.add(th);
        }
        for (Process pr : procs) pr.getOutputStream().close(); // the start
        for (Thread th : ts) th.start();
        for (int k = 0; k < procs.size(); k++) {
            Process pr = procs.get(k);
            assertTrue(pr.waitFor(2, TimeUnit.MINUTES), "child " + k + " did not finish");
            String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, pr.exitValue(), "child " + k + " " + commands.get(k) + ":\n" + out);
        }
        for (Thread th : ts) th.join();
        assertTrue(errors.isEmpty(), errors.toString());
        EpochStore s = new EpochStore(p);
        for (int k = 0; k < n; k++) assertEquals(rounds, s.get("own-" + k), "own-" + k);
        assertEquals((long) (rounds - 1) * n + n, s.get("shared"));
        System.out.println("epochs: " + commands.size() + " processes (" + commands.stream().map(c -> Path.of(c.get(0)).getFileName().toString()).toList()
                + ") and " + threads + " threads raised one file " + rounds + " times each; none lost");
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }
}
