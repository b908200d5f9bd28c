import CardProtocols
import CardSecurity
import CardSimulator
import Foundation
import Logging
import ReaderService
import StoreCore
import StoreService
import Testing

/// A tap on the rig, through the reader service, into a real SQLite file: the path `parcours serve` runs.
extension RigSuite {
    @Suite
    struct TapRecordingRigTests {
        typealias Identification = CardIdentificationRigTests

        /// A fresh store database in its own folder, logging into `logs`.
        static func makeStore(_ logs: LogCapture) async throws -> (StoreDatabase, URL) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-rig-\(UUID().uuidString)")
            var options = StoreDatabase.Options(storeId: "store-rig")
            options.logger = logs.logger()
            options.logger.logLevel = .trace
            let database = try await StoreDatabase.open(path: folder.appendingPathComponent("store.sqlite").path, options: options)
            return (database, folder)
        }

        @Test("a tap on a kiosk's bound reader becomes a visit on that kiosk; a reader no device owns records under its name")
        func tapBecomesVisitOnTheBoundDevice() async throws {
            let logs = LogCapture()
            let (database, folder) = try await Self.makeStore(logs)
            defer { try? FileManager.default.removeItem(at: folder) }
            let (service, events) = try Identification.start(logs)
            defer { service.stop() }
            let recorder = TapRecorder(database: database, logger: logs.logger())

            let unbound = try await Identification.tap(
                try NTAGTag(model: .ntag215, uid: try TagUID(hex: "04CAFE00000001")), service, events)
            guard case .recorded(_, let unboundDevice, let first) = await recorder.record(unbound) else {
                Issue.record("the tap was not recorded")
                return
            }
            #expect(unboundDevice == "reader-parcours-virtual-b-00-00")
            #expect(first.isNewVisit && first.isAnonymous)

            let kiosk = try await database.addDevice(kind: .kiosk, name: "Entrance kiosk", boundReader: Rig.readerName(Identification.reader))
            let again = try await Identification.tap(
                try NTAGTag(model: .ntag215, uid: try TagUID(hex: "04CAFE00000002")), service, events)
            guard case .recorded(_, let deviceId, let outcome) = await recorder.record(again) else {
                Issue.record("the second tap was not recorded")
                return
            }
            #expect(deviceId == kiosk.device.id)
            #expect(outcome.visit.deviceId == kiosk.device.id)
            #expect(try await database.identifier(kind: .cardUID, value: "04CAFE00000002") != nil)
        }

        @Test("after an EMV tap is recorded, the PAN is in no database file, no log line and no output",
              arguments: [PaymentCardProfile.Scheme.visa, .mastercard])
        func noPANAnywhere(scheme: PaymentCardProfile.Scheme) async throws {
            let logs = LogCapture()
            let (database, folder) = try await Self.makeStore(logs)
            defer { try? FileManager.default.removeItem(at: folder) }
            let (service, events) = try Identification.start(logs)
            defer { service.stop() }
            let recorder = TapRecorder(database: database, logger: logs.logger())

            let profile = PaymentCardProfile.testCard(scheme)
            let pan = profile.pan.digits
            let tap = try await Identification.tap(try EMVCard(profile: profile), service, events)
            let recording = await recorder.record(tap)
            guard case .recorded(_, _, let outcome) = recording else {
                Issue.record("the EMV tap was not recorded: \(recording)")
                return
            }
            // The visit keeps the strongest payment identifier: the PAR when the card has one, else the token.
            let tokenValue = try #require(tap.identifiers.paymentToken)
            let token = try #require(try await database.identifier(kind: .paymentToken, value: tokenValue))
            if let par = profile.paymentAccountReference {
                #expect(try await database.identifier(kind: .paymentAccountReference, value: par)?.id == outcome.visit.identifierId)
            } else {
                #expect(token.id == outcome.visit.identifierId)
            }
            try database.close()

            // The PAN as text, and as the packed BCD the card sends in tag 5A and track 2.
            let needles: [(name: String, bytes: [UInt8])] = [
                ("PAN digits", Array(pan.utf8)), ("last 8 digits", Array(pan.suffix(8).utf8)),
                ("PAN as BCD", Self.bcd(pan)),
            ]
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(files.contains("store.sqlite"))
            for file in files {
                let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(file)))
                for needle in needles {
                    #expect(!Self.contains(bytes, needle.bytes), "\(needle.name) found in \(file)")
                }
            }
            let output = "\(recording)\n" + String(decoding: try JSONEncoder().encode(tap), as: UTF8.self) + "\n" + logs.text
            #expect(!logs.lines.isEmpty)
            #expect(!output.contains(pan))
            #expect(!output.contains(String(pan.suffix(8))))
        }

        static func bcd(_ digits: String) -> [UInt8] {
            let values = digits.compactMap { $0.wholeNumberValue.map(UInt8.init) }
            return stride(from: 0, to: values.count - 1, by: 2).map { values[$0] << 4 | values[$0 + 1] }
        }

        static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard !needle.isEmpty, haystack.count >= needle.count else { return false }
            return (0...(haystack.count - needle.count)).contains { start in
                haystack[start] == needle[0] && Array(haystack[start..<start + needle.count]) == needle
            }
        }
    }
}
