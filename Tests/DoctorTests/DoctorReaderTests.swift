import CardProtocols
import CardSecurity
import CardSimulator
import Crypto
import Foundation
import Testing

extension DoctorSuite {
    @Suite("readers")
    struct DoctorReaderTests {
        @Test("a healthy store with head office, TLS and cards on two readers: every line ok, kinds named, no UID or PAN")
        func healthyStore() async throws {
            try await DoctorSuite.withStore { store in
                let tls = try TestCertificates.write(in: store.directory, name: "service", commonName: "store-pc.doc-01",
                                                     notBefore: Date().addingTimeInterval(-86_400), notAfter: Date().addingTimeInterval(365 * 86_400))
                try store.writeServiceConfig(extra: ["tls": ["certificate": tls.certificatePath, "key": tls.keyPath]])

                let keyring = try LoyaltyCardKeyring(keys: ["k1": .init(data: [UInt8](repeating: 0x11, count: 32))], currentKeyID: "k1")
                let signer = LoyaltyCardSigner(keyring: keyring)
                let uid = try TagUID(hex: "04112233445566")
                let cardID = signer.makeCardID()
                let url = try signer.makeCardURL(host: "parcours.example", cardID: cardID, uid: uid.bytes)
                let loyalty = try await VirtualReader.index(0).insert(try NTAGTag(model: .ntag213, uid: uid, ndef: NDEFMessage(records: [.uri(url)])))
                let visa = PaymentCardProfile.testCard(.visa)
                let payment = try await VirtualReader.index(1).insert(try EMVCard(profile: visa))
                try await Task.sleep(for: .milliseconds(800))  // pcscd polls vpcd: about 190 ms until a card shows

                // The link comes from an EnvironmentFile, as the unit gives it to the service.
                let environmentFile = store.directory.appendingPathComponent("store.env").path
                let run = try await HeadOfficeProcess.withHeadOffice { node in
                    try "# head office\nPARCOURS_HEADOFFICE_URL=\(node.url)\nPARCOURS_HEADOFFICE_CREDENTIAL='\(node.credential)'\n"
                        .write(toFile: environmentFile, atomically: true, encoding: .utf8)
                    return try store.doctor(["--env-file", environmentFile])
                }
                _ = await loyalty.remove()
                _ = await payment.remove()

                #expect(run.problems == [], "\(run.output)")
                #expect(run.status == 0, "\(run.output)")
                let readers = store.bindings.map(\.reader)
                let first = try #require(run.check("read \(readers[0])")?.line)
                #expect(first.hasPrefix("ok    read \(readers[0])  NFC Forum Type 2"), "\(first)")
                #expect(first.contains(": a Parcours loyalty card, its signature verified ("), "\(first)")
                #expect(first.contains("ATR 3B"), "\(first)")
                let second = try #require(run.check("read \(readers[1])")?.line)
                #expect(second.contains(": a payment card (visa), tokenized ("), "\(second)")
                #expect(run.check("read \(readers[2])")?.line == "ok    read \(readers[2])  no card present")
                #expect(run.check("head office auth")?.line == "ok    head office auth  a request signed as store doc-01 is accepted")
                #expect(run.check("tls certificate")?.line.contains("(CN=store-pc.doc-01) valid until") == true, "\(run.output)")

                for secret in ["04112233445566", cardID.rawValue, "4761739001010010", "476173", "V0010013021123456789012345678", "VISA ACQUIRER"] {
                    #expect(!run.output.contains(secret), "the doctor printed \(secret)")
                    #expect(!run.errors.contains(secret), "the doctor logged \(secret)")
                }
            }
        }

        @Test("pcscd unreachable: FAIL pcscd with its fix, the readers skipped, exit 1")
        func pcscdUnreachable() async throws {
            try await DoctorSuite.withStore { store in
                // pcsc-lite's client honours this variable: a socket nobody listens on is a PC with pcscd down.
                let run = try store.doctor(environment: ["PCSCLITE_CSOCK_NAME": store.directory.appendingPathComponent("nobody.comm").path])
                #expect(run.status == 1)
                let pcscd = try #require(run.check("pcscd"))
                #expect(pcscd.line == "FAIL  pcscd  pcscd is not reachable: SCardEstablishContext: SCARD_E_NO_SERVICE (0x8010001D): pcscd is not running", "\(pcscd.line)")
                #expect(pcscd.fix?.hasPrefix("start it: systemctl start pcscd.socket") == true)
                #expect(run.problems == [pcscd.line, "skip  readers  pcscd is not reachable"], "\(run.output)")
            }
        }

        @Test("a device bound to a reader that does not exist: FAIL for the device, warn for the reader it left")
        func deviceOnMissingReader() async throws {
            try await DoctorSuite.withStore { store in
                var devices = store.bindings
                let lost = devices[0].reader
                devices[0].reader = "Parcours Virtual Z 00 00"
                try store.writeServiceConfig(devices: devices)
                let run = try store.doctor()
                #expect(run.status == 1)
                let device = try #require(run.check("device Device 0"))
                let offered = store.bindings.map(\.reader).joined(separator: ", ")
                #expect(device.line == "FAIL  device Device 0  kiosk bound to reader Parcours Virtual Z 00 00, which is not present (pcscd offers \(offered))")
                #expect(device.fix == "plug that reader in, or bind the device to a present reader in devices of \(store.serviceConfig) (names as parcours readers --once prints them), then systemctl restart parcours-store")
                let reader = try #require(run.check("reader \(lost)"))
                #expect(reader.line == "warn  reader \(lost)  no device is bound to it: its taps are identified but reach no kiosk or till")
                #expect(reader.fix?.contains("{\"name\": \"<device>\", \"reader\": \"\(lost)\"}") == true)
                #expect(run.problems == [device.line, reader.line], "\(run.output)")
            }
        }

        @Test("a name in devices that no enrolled device has: FAIL naming devices[i], as serve refuses it")
        func unknownDeviceName() async throws {
            try await DoctorSuite.withStore { store in
                var devices = store.bindings
                devices[3].name = "Till 9"
                try store.writeServiceConfig(devices: devices)
                let run = try store.doctor()
                #expect(run.status == 1)
                let device = try #require(run.check("device Till 9"))
                #expect(device.line == "FAIL  device Till 9  devices[3] of \(store.serviceConfig) names it, but no enrolled device has that name")
                #expect(device.fix?.contains("correct devices[3].name, or enrol it (parcours device add)") == true)
            }
        }
    }
}
