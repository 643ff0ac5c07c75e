package io.github.licverify;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The JVM binding's benchmark, for bench/java.mjs (and so bench/run.mjs): prints one JSON object
 * per line, each {@code {"runtime":"java","measure":...,...}}, on bench/gen's fixtures.
 *
 * <pre>
 * java -cp CLASSPATH io.github.licverify.Bench FIXTURES_DIR [--quick] [--latency-only]
 * </pre>
 *
 * <ul>
 *   <li>latency: median over rounds of the mean of many calls, after a warm-up, through the
 *       typed API (and one raw call), on the same requests as bench/run.mjs;
 *   <li>lookup: one id in a loaded 100,000-id revocation set; verify: that set whole;
 *   <li>startup: a new JVM (spawned by this one, same class path) from spawn to its first verified
 *       status proof, and to its first verified encrypted .qkey.
 * </ul>
 *
 * Nothing here asserts a time; each verdict is checked so that a fast wrong answer is not timed.
 */
public final class Bench {
    private Bench() {}

    private interface Call {
        void run() throws Exception;
    }

    private static Json.Obj request(Path fx, String name) throws Exception {
        return Json.parseUtf8(Files.readAllBytes(fx.resolve("request-" + name + ".json"))).obj();
    }

    private static byte[] member(Json.Obj r, String name) {
        Json.Node b = r.get(name + "_b64");
        if (b != null) return Base64.getDecoder().decode(b.str());
        return r.get(name).str().getBytes(StandardCharsets.UTF_8);
    }

    private static double[] timed(Call c, int rounds, int perRound) throws Exception {
        for (int i = 0; i < perRound; i++) c.run();
        List<Double> means = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRound; i++) c.run();
            means.add((System.nanoTime() - t0) / 1e3 / perRound);
        }
        Collections.sort(means);
        return new double[] {means.get(means.size() / 2), means.get(0)};
    }

    private static void line(String measure, String rest) {
        System.out.println("{\"runtime\":\"java\",\"measure\":\"" + measure + "\"," + rest + "}");
    }

    private static void latency(String name, double[] t) {
        line("latency", String.format(Locale.ROOT, "\"job\":\"%s\",\"median_us\":%.1f,\"min_us\":%.1f", name, t[0], t[1]));
    }

    private static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("bench: wrong verdict: " + what);
    }

    /**
     * Runs the benchmark, or one child measurement.
     *
     * @param args FIXTURES_DIR [--quick] [--latency-only], or --child-first-verdict FIXTURES_DIR statusproof|qkey
     * @throws Exception when a verdict is wrong or a child fails
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("--child-first-verdict")) {
            child(Path.of(args[1]), args[2]);
            return;
        }
        Path fx = Path.of(args[0]);
        List<String> flags = List.of(args).subList(1, args.length);
        boolean quick = flags.contains("--quick");
        boolean latencyOnly = flags.contains("--latency-only");
        line("versions", "\"java\":\"" + System.getProperty("java.version") + "\",\"vm\":\"" + System.getProperty("java.vm.name")
                + "\",\"chicory\":\"" + chicoryVersion() + "\",\"cpus\":" + Runtime.getRuntime().availableProcessors());
        if (!latencyOnly) startup(fx, quick);
        try (Verifier v = Verifier.builder().maxInstances(1).build()) {
            int rounds = quick ? 5 : 15, n = quick ? 20 : 100;
            Json.Obj p = request(fx, "statusproof");
            byte[] proof = member(p, "proof");
            StatusProofOptions po = StatusProofOptions.builder(Keyring.of(member(p, "keys")), Instant.parse(p.get("now").str())).build();
            check(v.verifyStatusProof(proof, po).valid(), "statusproof");
            latency("status_proof", timed(() -> v.verifyStatusProof(proof, po), rounds, n));
            byte[] frame = Files.readAllBytes(fx.resolve("request-statusproof.lvr2"));
            latency("status_proof_raw_call", timed(() -> v.call(frame), rounds, n));

            Json.Obj l = request(fx, "license");
            byte[] lic = member(l, "license");
            LicenseOptions.Builder lb = LicenseOptions.builder(Keyring.of(member(l, "keys")), Instant.parse(l.get("now").str()), l.get("product_id").str());
            if (l.has("fingerprint_hash")) lb.fingerprintHash(l.get("fingerprint_hash").str());
            LicenseOptions lo = lb.build();
            check(v.evaluateLicense(lic, lo).valid(), "license");
            latency("license", timed(() -> v.evaluateLicense(lic, lo), rounds, n));

            for (String job : List.of("qkey-plain", "qkey")) {
                Json.Obj q = request(fx, job);
                byte[] qk = member(q, "qkey");
                QKeyOptions.Builder qb = QKeyOptions.builder(Keyring.of(member(q, "keys")), Instant.parse(q.get("now").str()));
                if (q.has("password")) qb.password(q.get("password").str());
                QKeyOptions qo = qb.build();
                check(v.verifyQKey(qk, qo).valid(), job);
                boolean enc = job.equals("qkey");
                latency(enc ? "qkey_encrypted" : "qkey_plain", timed(() -> v.verifyQKey(qk, qo), enc ? (quick ? 3 : 5) : rounds, enc ? (quick ? 1 : 3) : n));
            }
        }
        if (!latencyOnly) revocation(fx, quick);
    }

    private static void revocation(Path fx, boolean quick) throws Exception {
        Json.Obj meta = Json.parseUtf8(Files.readAllBytes(fx.resolve("meta.json"))).obj();
        Json.Obj set = null;
        for (Json.Node s : meta.get("sets").list()) if (s.obj().get("ids").num().intValue() == 100_000) set = s.obj();
        byte[] data = Files.readAllBytes(fx.resolve(set.get("file").str()));
        Keyring keys = Keyring.of(meta.get("keys").str());
        Instant now = Instant.parse(meta.get("now").str());
        String revoked = set.get("revoked").str();
        try (Verifier v = Verifier.builder().maxInstances(1).build()) {
            RevocationSetOptions o = RevocationSetOptions.builder(keys, now).build();
            long t0 = System.nanoTime();
            check(v.verifyRevocationSet(data, o).valid(), "revocation set");
            double first = (System.nanoTime() - t0) / 1e6;
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < (quick ? 3 : 7); i++) {
                long t = System.nanoTime();
                v.verifyRevocationSet(data, o);
                times.add((System.nanoTime() - t) / 1e6);
            }
            Collections.sort(times);
            t0 = System.nanoTime();
            try (LoadedRevocationSet loaded = v.loadRevocationSet(data, o)) {
                double load = (System.nanoTime() - t0) / 1e6;
                check("revoked".equals(loaded.lookup(List.of(revoked), now).lookups().get(0).status()), "lookup");
                double[] lookup = timed(() -> loaded.lookup(List.of(revoked), now), 5, quick ? 50 : 200);
                line("revocation", String.format(Locale.ROOT,
                        "\"ids\":100000,\"bytes\":%d,\"verify_first_call_ms\":%.1f,\"verify_median_ms\":%.1f,\"load_ms\":%.1f",
                        data.length, first, times.get(times.size() / 2), load));
                latency("revocation_lookup", lookup);
            }
        }
    }

    /** New JVMs, each to its first verdict; the figures of the median run. */
    private static void startup(Path fx, boolean quick) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String job : List.of("statusproof", "qkey")) {
            List<double[]> runs = new ArrayList<>();
            for (int i = 0; i < (quick ? 2 : 5); i++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Bench.class.getName(),
                        "--child-first-verdict", fx.toString(), job).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (p.waitFor() != 0) throw new IllegalStateException("bench: child failed: " + out);
                double total = (System.nanoTime() - t0) / 1e6;
                Json.Obj o = Json.parse(out).obj();
                runs.add(new double[] {total, o.get("jvm_to_main_ms").num().doubleValue(), o.get("classes_ms").num().doubleValue(),
                        o.get("first_call_ms").num().doubleValue()});
            }
            runs.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] m = runs.get(runs.size() / 2);
            line("startup", String.format(Locale.ROOT,
                    "\"job\":\"%s\",\"spawn_to_first_verdict_ms\":%.0f,\"jvm_to_main_ms\":%.0f,\"classes_ms\":%.0f,\"first_call_ms\":%.0f,\"runs\":%d",
                    job, m[0], m[1], m[2], m[3], runs.size()));
        }
    }

    /** A child: one verdict in a new JVM, its phases on stdout. */
    private static void child(Path fx, String job) throws Exception {
        long mainAt = System.currentTimeMillis();
        double jvmToMain = mainAt - ManagementFactory.getRuntimeMXBean().getStartTime();
        Json.Obj r = request(fx, job);
        long t0 = System.nanoTime();
        // the module: parsing its meta (imports, exports, data), then loading, verifying and
        // initializing the classes the plugin compiled its code into (found by the plugin's names)
        ModuleInstance.module();
        for (String c : List.of("Machine", "MachineFuncGroup_0", "MachineDispatch_0", "MachineIndirect_0_0", "MachineShaded")) {
            try {
                Class.forName("io.github.licverify.internal.LicverifyModule" + c, true, Bench.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                // another plugin version names them otherwise: they load in the first call instead
            }
        }
        double classes = (System.nanoTime() - t0) / 1e6;
        long t1 = System.nanoTime();
        boolean valid;
        try (Verifier v = Verifier.create()) {
            Keyring keys = Keyring.of(member(r, "keys"));
            Instant now = Instant.parse(r.get("now").str());
            if (job.equals("statusproof")) {
                valid = v.verifyStatusProof(member(r, "proof"), StatusProofOptions.builder(keys, now).build()).valid();
            } else {
                QKeyOptions.Builder b = QKeyOptions.builder(keys, now);
                if (r.has("password")) b.password(r.get("password").str());
                valid = v.verifyQKey(member(r, "qkey"), b.build()).valid();
            }
        }
        double firstCall = (System.nanoTime() - t1) / 1e6;
        check(valid, job);
        System.out.println(String.format(Locale.ROOT, "{\"jvm_to_main_ms\":%.0f,\"classes_ms\":%.1f,\"first_call_ms\":%.1f}",
                jvmToMain, classes, firstCall));
    }

    private static String chicoryVersion() {
        Package p = com.dylibso.chicory.runtime.Instance.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "1.7.5" : v;
    }
}
