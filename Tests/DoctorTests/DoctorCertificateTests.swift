import Crypto
import Foundation
import Testing

extension DoctorSuite {
    @Suite("certificates")
    struct DoctorCertificateTests {
        @Test("the service's TLS certificate expired: FAIL tls certificate with the date and the renew fix")
        func expiredCertificate() async throws {
            try await DoctorSuite.withStore { store in
                let pair = try TestCertificates.write(in: store.directory, name: "expired", commonName: "store-pc.doc-01",
                                                      notBefore: Date(timeIntervalSince1970: 1_700_000_000),
                                                      notAfter: Date(timeIntervalSince1970: 1_735_689_600))  // 2025-01-01
                try store.writeServiceConfig(extra: ["tls": ["certificate": pair.certificatePath, "key": pair.keyPath]])
                let run = try store.doctor()
                #expect(run.status == 1)
                let tls = try #require(run.check("tls certificate"))
                #expect(tls.line == "FAIL  tls certificate  \(pair.certificatePath) (CN=store-pc.doc-01) expired on 2025-01-01")
                #expect(tls.fix == "renew the certificate (same key or new), install it as \(pair.certificatePath), systemctl restart parcours-store")
                #expect(run.problems == [tls.line], "\(run.output)")
            }
        }

        @Test("a key that is not the certificate's: FAIL tls certificate naming tls.key")
        func mismatchedKey() async throws {
            try await DoctorSuite.withStore { store in
                let pair = try TestCertificates.write(in: store.directory, name: "service", commonName: "store-pc.doc-01",
                                                      notBefore: Date().addingTimeInterval(-3600), notAfter: Date().addingTimeInterval(90 * 86_400),
                                                      writingKey: P256.Signing.PrivateKey())
                try store.writeServiceConfig(extra: ["tls": ["certificate": pair.certificatePath, "key": pair.keyPath]])
                let run = try store.doctor()
                #expect(run.status == 1)
                let tls = try #require(run.check("tls certificate"))
                #expect(tls.line == "FAIL  tls certificate  tls.key \(pair.keyPath) is not the key of the certificate in \(pair.certificatePath) (CN=store-pc.doc-01)")
                #expect(tls.fix?.hasPrefix("install the key that was generated with this certificate") == true)
                #expect(run.problems == [tls.line], "\(run.output)")
            }
        }

        @Test("a certificate expiring in 10 days and an expired head-office CA: warn, then FAIL head office CA")
        func expiringAndExpiredAuthority() async throws {
            try await DoctorSuite.withStore { store in
                let pair = try TestCertificates.write(in: store.directory, name: "soon", commonName: "store-pc.doc-01",
                                                      notBefore: Date().addingTimeInterval(-3600), notAfter: Date().addingTimeInterval(10.5 * 86_400))
                try store.writeServiceConfig(extra: ["tls": ["certificate": pair.certificatePath, "key": pair.keyPath]])
                let warned = try store.doctor()
                #expect(warned.status == 0, "a warning alone passes: \(warned.output)")
                #expect(warned.check("tls certificate")?.line.hasPrefix("warn  tls certificate  \(pair.certificatePath) (CN=store-pc.doc-01) expires on ") == true)
                #expect(warned.check("tls certificate")?.line.hasSuffix(", in 10 days") == true, "\(warned.output)")

                let authority = try TestCertificates.write(in: store.directory, name: "ca", commonName: "Chain CA",
                                                           notBefore: Date(timeIntervalSince1970: 1_600_000_000),
                                                           notAfter: Date(timeIntervalSince1970: 1_704_067_200))  // 2024-01-01
                let run = try store.doctor(environment: ["PARCOURS_HEADOFFICE_CA_FILE": authority.certificatePath])
                #expect(run.status == 1)
                #expect(run.check("head office CA")?.line == "FAIL  head office CA  \(authority.certificatePath) (CN=Chain CA) expired on 2024-01-01")
            }
        }
    }
}
