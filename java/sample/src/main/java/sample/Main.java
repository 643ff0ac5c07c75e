package sample;

import io.github.licverify.EpochStore;
import io.github.licverify.Keyring;
import io.github.licverify.LicenseOptions;
import io.github.licverify.LicenseResult;
import io.github.licverify.LoadedRevocationSet;
import io.github.licverify.LookupResult;
import io.github.licverify.RevocationSetOptions;
import io.github.licverify.StatusProofOptions;
import io.github.licverify.StatusProofResult;
import io.github.licverify.Verifier;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Verifies examples/demo's files the way an application would: a status proof with the stored
 * epoch, a tampered copy, a revocation set kept loaded for lookups, and a license.key with its
 * state. Exits 1 when an answer is not the one the demo's files call for.
 */
public final class Main {
    private Main() {}

    private static int failures;

    private static void expect(String what, Object got, Object want) {
        boolean ok = want.equals(got);
        if (!ok) failures++;
        System.out.println((ok ? "ok   " : "FAIL ") + what + ": " + got + (ok ? "" : " (want " + want + ")"));
    }

    public static void main(String[] args) throws Exception {
        Path demo = Path.of(args.length > 0 ? args[0] : "examples/demo");
        Instant now = Instant.parse("2026-03-01T12:00:00Z"); // the demo's files are valid then
        Keyring keys = Keyring.read(demo.resolve("keyring.json"));
        Path dir = Files.createTempDirectory("licverify-sample");
        EpochStore epochs = new EpochStore(dir.resolve("epochs.json"));

        try (Verifier verifier = Verifier.create()) {
            StatusProofResult proof = verifier.verifyStatusProof(Files.readAllBytes(demo.resolve("proof.json")),
                    StatusProofOptions.builder(keys, now).minEpoch(epochs.get("status")).build());
            long firstVerdictMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            expect("proof.json", proof.code() + " " + proof.licenseId() + " " + proof.status(), "ok LIC-DEMO-0001 valid");
            if (proof.valid()) epochs.raiseTo("status", proof.storeEpoch());
            expect("stored epoch", epochs.get("status"), 7L);

            StatusProofResult tampered = verifier.verifyStatusProof(Files.readAllBytes(demo.resolve("proof-tampered.json")),
                    StatusProofOptions.builder(keys, now).build());
            expect("proof-tampered.json", tampered.code(), "bad_signature");

            try (LoadedRevocationSet set = verifier.loadRevocationSet(Files.readAllBytes(demo.resolve("revocation-set.json")),
                    RevocationSetOptions.builder(keys, now).build())) {
                expect("revocation-set.json", set.result().code(), "ok");
                List<LookupResult> l = set.lookup(List.of("LIC-DEMO-0001", "LIC-DEMO-0666", "LIC-DEMO-0042"), now).lookups();
                expect("lookups", l.get(0).status() + " " + l.get(1).status() + " " + l.get(2).status() + " until " + l.get(2).until(),
                        "not_revoked revoked suspended until 2026-04-01T00:00:00Z");
            }

            String binding = verifier.fingerprintHash(Files.readAllBytes(demo.resolve("device.json"))).bindingHash();
            LicenseResult license = verifier.evaluateLicense(Files.readAllBytes(demo.resolve("license.key")),
                    LicenseOptions.builder(keys, now, "calcpro").fingerprintHash(binding).build());
            expect("license.key", license.decision() + " " + license.plan() + " " + license.customerName(), "run subscription Demo Customer Ltd");
            Files.write(dir.resolve("license.state.json"), license.stateBytes());
            LicenseResult again = verifier.evaluateLicense(Files.readAllBytes(demo.resolve("license.key")),
                    LicenseOptions.builder(keys, now, "calcpro").fingerprintHash(binding)
                            .state(Files.readAllBytes(dir.resolve("license.state.json"))).build());
            expect("license.key with its state", again.decision(), "run");
            System.out.println("first verdict " + firstVerdictMs + " ms after the JVM started");
        }
        if (failures > 0) System.exit(1);
    }
}
