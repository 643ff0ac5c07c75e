package io.github.licverify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java recipe of docs/issuers.md, run again with this JVM by the source launcher, writes its
 * committed output (testvectors/issuers/recipes/out/java.json) byte for byte.
 */
class IssuerRecipeTest {
    @Test
    void javaRecipeWritesItsCommittedProof(@TempDir Path dir) throws Exception {
        Path recipes = Repo.root().resolve("testvectors/issuers/recipes");
        Path out = dir.resolve("java.json");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "-Dfile.encoding=UTF-8",
                recipes.resolve("java/SignStatusProof.java").toString(), out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), String.join(" ", cmd) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + log);
        assertArrayEquals(Files.readAllBytes(recipes.resolve("out/java.json")), Files.readAllBytes(out), "run make issuers");
    }
}
