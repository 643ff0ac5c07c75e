package io.github.licverify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Where the harness finds the repository's files, and what it loads from them once. */
final class Repo {
    private Repo() {}

    static Path root() {
        String p = System.getProperty("licverify.repo");
        Path root = p != null ? Path.of(p) : Path.of("..");
        return root.toAbsolutePath().normalize();
    }

    static Path wasm() {
        return root().resolve("host/licverify.wasm");
    }

    static Path opsTable() {
        return root().resolve("internal/api/ops.json");
    }

    static List<Path> vectorFiles() throws IOException {
        try (Stream<Path> s = Files.list(root().resolve("testvectors"))) {
            return s.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    static Json.Node readJson(Path f) throws IOException {
        return Json.parse(Json.strictUtf8(Files.readAllBytes(f)));
    }

    /**
     * native Go's response to every vector: the file Maven's generate-test-resources phase writes
     * with {@code go run ./internal/cmd/nativeresponses}; when the tests run without it (from an
     * IDE), the same command is run here.
     */
    static Path nativeResponses() throws IOException, InterruptedException {
        String p = System.getProperty("licverify.native");
        Path f = p != null ? Path.of(p) : root().resolve("java/target/native.json");
        if (Files.isRegularFile(f)) return f;
        Files.createDirectories(f.getParent());
        List<String> cmd = new ArrayList<>(List.of("go", "run", "./internal/cmd/nativeresponses", "-out", f.toString()));
        Process proc = new ProcessBuilder(cmd).directory(root().toFile()).inheritIO().start();
        if (!proc.waitFor(10, TimeUnit.MINUTES) || proc.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
        return f;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
