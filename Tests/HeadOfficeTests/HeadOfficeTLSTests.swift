import Foundation
import HeadOffice
import HeadOfficeService
import StoreCore
import StoreSync
import SyncProtocol
import Testing

@Suite("Head office over TLS", .serialized)
struct HeadOfficeTLSTests {
    /// A throwaway certificate authority and a server certificate for 127.0.0.1 signed by it, made with the
    /// openssl CLI in a directory of their own.
    struct Certificates {
        let directory: URL
        var caCertificate: String { directory.appendingPathComponent("ca.pem").path }
        var serverCertificate: String { directory.appendingPathComponent("server.pem").path }
        var serverKey: String { directory.appendingPathComponent("server.key").path }
        var otherCA: String { directory.appendingPathComponent("other-ca.pem").path }

        static func make() throws -> Certificates {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let certificates = Certificates(directory: directory)
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Parcours test CA"], in: directory)
            try openssl(["req", "-x509"] + ec + ["-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=Someone else"], in: directory)
            try openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], in: directory)
            try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(to: directory.appendingPathComponent("san.ext"))
            try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", "server.pem", "-days", "2", "-extfile", "san.ext"], in: directory)
            return certificates
        }

        private static func openssl(_ arguments: [String], in directory: URL) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw HarnessError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
            }
        }
    }

    @Test("a store syncs with an HTTPS-only head office when it trusts the CA file, and refuses it otherwise")
    func syncOverTLS() async throws {
        let certificates = try Certificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let tls = HeadOfficeTLS(certificatePath: certificates.serverCertificate, keyPath: certificates.serverKey)
        try await HeadOfficeHarness.withDatabase { hq in
            try await HeadOfficeHarness.withServer(hq, tls: tls) { url in
                #expect(url.scheme == "https")
                let store = try await TestStore.make("paris", headOffice: hq, url: url, requestTimeout: .seconds(5))
                _ = try await store.database.signUp(SignUpRequest(firstName: "Marie", email: "m@example.com", language: "fr"))
                try await hq.setRedemptionAllowance(storeId: "paris", points: 30)

                // The system's roots do not know the test CA: the sync fails and sends nothing.
                await #expect(throws: HeadOfficeClient.Failure.self) { try await store.sync() }
                #expect(try await hq.count("SELECT count(*)::bigint FROM store_event") == 0)

                let trusted = try HeadOfficeLink(url: url, credential: store.credential, pageSize: 50, caFile: certificates.caCertificate)
                try await HeadOfficeClient.withClient(link: trusted) { client in
                    try await SyncEngine(database: store.database, client: client, logger: HeadOfficeHarness.quietLogger("sync")).syncOnce()
                }
                #expect(try await hq.count("SELECT count(*)::bigint FROM store_event WHERE store_id = 'paris'") > 0)
                #expect(try await store.database.headOfficeStanding().redemptionAllowance == 30, "the pull came back over TLS too")

                // Another CA's file is no better than none.
                let wrong = try HeadOfficeLink(url: url, credential: store.credential, requestTimeout: .seconds(5), caFile: certificates.otherCA)
                await #expect(throws: HeadOfficeClient.Failure.self) {
                    try await HeadOfficeClient.withClient(link: wrong) { client in
                        try await SyncEngine(database: store.database, client: client, logger: HeadOfficeHarness.quietLogger("sync")).syncOnce()
                    }
                }

                // Plain HTTP to the TLS port gets no answer.
                var plain = URLComponents(url: url, resolvingAgainstBaseURL: false)!
                plain.scheme = "http"
                let http = try HeadOfficeLink(url: plain.url!, credential: store.credential, requestTimeout: .seconds(5))
                await #expect(throws: HeadOfficeClient.Failure.self) {
                    _ = try await HeadOfficeClient(link: http).changes(after: nil, limit: 1)
                }
            }
        }
    }

    @Test("unusable TLS files are refused up front, naming the option")
    func badFiles() throws {
        let certificates = try Certificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let missing = certificates.directory.appendingPathComponent("missing.pem").path
        let noCertificate = #expect(throws: HeadOfficeError.self) {
            try HeadOfficeTLS(certificatePath: missing, keyPath: certificates.serverKey).serverConfiguration()
        }
        #expect(noCertificate?.description.hasPrefix("--tls-certificate") == true)
        let keyIsCertificate = #expect(throws: HeadOfficeError.self) {
            try HeadOfficeTLS(certificatePath: certificates.serverCertificate, keyPath: certificates.caCertificate).serverConfiguration()
        }
        #expect(keyIsCertificate?.description.hasPrefix("--tls-key") == true)
        let credential = StoreCredential(storeId: "paris")
        let badCA = #expect(throws: SyncProtocolError.self) {
            try HeadOfficeLink(url: URL(string: "https://127.0.0.1:1")!, credential: credential, caFile: certificates.serverKey)
        }
        #expect(badCA?.description.contains("headOffice.caFile") == true)
    }
}
