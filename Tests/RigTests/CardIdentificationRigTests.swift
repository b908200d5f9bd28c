import CardProtocols
import CardSecurity
import CardSimulator
import Crypto
import Foundation
import Logging
import PCSC
import ReaderService
import Synchronization
import Testing

/// Every card kind tapped on the virtual rig gives the right identifiers; forged, replayed, hostile and
/// unknown cards give a clear rejection.
extension RigSuite {
    @Suite
    struct CardIdentificationRigTests {
        static let host = "parcours.example"
        static let keyring: LoyaltyCardKeyring = {
            try! LoyaltyCardKeyring(keys: ["k1": SymmetricKey(data: [UInt8](repeating: 0x11, count: 32))], currentKeyID: "k1")
        }()
        static let sunKeys = SUNKeys.fixed(
            metaReadKey: SymmetricKey(data: [UInt8](repeating: 0x24, count: 16)),
            fileReadKey: SymmetricKey(data: [UInt8](repeating: 0x42, count: 16)))
        static let sunTemplate = try! SUNURLTemplate(
            "https://parcours.example/t?picc_data={picc}&cmac={mac}", macInputStart: .component(.mac))
        static let paymentSecret = SymmetricKey(data: [UInt8](repeating: 0x5A, count: 32))
        static let enrolledDevice = CompanionAppCard.sampleDeviceID

        /// A reader service with every proof configured, logging into `logLines`.
        static func makeService(logLines: LogCapture = LogCapture(), tapTimeout: Duration = Rig.patientTapTimeout) throws -> ReaderService {
            let deviceKey = CompanionAppCard.testKey(for: enrolledDevice).publicKey
            let policy = IdentificationPolicy(
                storeID: "store-test",
                loyaltyCards: try LoyaltyCardVerifier(keyring: keyring, hosts: [host]),
                sunTags: try SUNVerifier(layout: sunTemplate.layout, keys: sunKeys, counterStore: InMemorySUNCounterStore()),
                paymentTokens: try PaymentTokenizer(secret: paymentSecret),
                appDeviceKeys: { $0 == enrolledDevice ? deviceKey : nil })
            return ReaderService(identifier: TapIdentifier(policy: policy, timeout: tapTimeout), logger: logLines.logger())
        }

        static let reader = 2

        /// Taps `card` on the test reader and returns the service's result for it. The card stays in the
        /// field until the service has answered (as a customer holds it until the screen reacts), so a
        /// busy test machine cannot turn a slow read into a "card left the reader" failure.
        ///
        /// With `removal`, the card follows that policy instead: a hostile card is pulled once it has gone quiet,
        /// because pcscd re-powers a card that answers garbage and would report it as tapped again.
        static func tap(
            _ card: any VirtualCard, _ service: ReaderService, _ recorder: EventRecorder, removal: RemovalPolicy? = nil
        ) async throws -> TapResult {
            let name = Rig.readerName(reader)
            let before = await recorder.count
            if before == 0 { _ = await recorder.next { $0.readerEvent == .readerAdded(name) } }
            let result: TapResult?
            if let removal {
                _ = try await Rig.reader(reader).tap(card, removal: removal)
                result = await recorder.next(after: before, within: .seconds(25)) { $0.tap?.reader == name }?.tap
            } else {
                let field = try await Rig.reader(reader).insert(card, removal: .afterDwell(.seconds(25)))
                result = await recorder.next(after: before, within: .seconds(25)) { $0.tap?.reader == name }?.tap
                await field.remove()
            }
            _ = await recorder.next(after: before) { $0.readerEvent == .cardRemoved(reader: name) }
            return try #require(result)
        }

        static func start(_ logLines: LogCapture = LogCapture(), tapTimeout: Duration = Rig.patientTapTimeout) throws -> (ReaderService, EventRecorder) {
            try Rig.ensureStarted()
            let service = try makeService(logLines: logLines, tapTimeout: tapTimeout)
            let recorder = EventRecorder()
            _ = recorder.follow(service)
            return (service, recorder)
        }

        @Test("a signed Parcours loyalty card gives its card id, a copy on another tag is refused")
        func loyaltyCard() async throws {
            let (service, recorder) = try Self.start()
            defer { service.stop() }
            let uid = try TagUID(hex: "04112233445566")
            let signer = LoyaltyCardSigner(keyring: Self.keyring)
            let cardID = signer.makeCardID()
            let url = try signer.makeCardURL(host: Self.host, cardID: cardID, uid: uid.bytes)
            let message = NDEFMessage(records: [.uri(url)])

            let tap = try await Self.tap(try NTAGTag(model: .ntag213, uid: uid, ndef: message), service, recorder)
            #expect(tap.succeeded, "\(tap.failure ?? "")")
            #expect(tap.identifiers.loyaltyCard == cardID.rawValue)
            #expect(tap.identifiers.cardUID == "04112233445566")
            #expect(tap.apduCount <= 1 + 1 + 8, "UID + CC read + the NDEF reads")

            let copy = try await Self.tap(try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04AAAAAAAAAAAA"), ndef: message), service, recorder)
            #expect(!copy.succeeded)
            #expect(copy.failure?.contains("loyalty card rejected") == true, "\(copy.failure ?? "")")
            #expect(copy.identifiers.loyaltyCard == nil)
        }

        @Test("a blank tag and a foreign URL give only the card UID")
        func foreignAndBlankTags() async throws {
            let (service, recorder) = try Self.start()
            defer { service.stop() }
            let blank = try await Self.tap(try NTAGTag(model: .ntag215, uid: try TagUID(hex: "04000000000001")), service, recorder)
            #expect(blank.succeeded)
            #expect(blank.identifiers.cardUID == "04000000000001")
            #expect(blank.identifiers.loyaltyCard == nil)

            let foreign = try NTAGTag(model: .ntag215, uid: try TagUID(hex: "04000000000002"), ndef: NDEFMessage(records: [.uri("https://example.com/x")]))
            let result = try await Self.tap(foreign, service, recorder)
            #expect(result.succeeded)
            #expect(result.identifiers.cardUID == "04000000000002")
            #expect(result.identifiers.loyaltyCard == nil)
        }

        @Test("an NTAG 424 DNA proves UID and a rising counter; a replayed counter is refused")
        func sunTag() async throws {
            let (service, recorder) = try Self.start()
            defer { service.stop() }
            let uid = try TagUID(hex: "04DE5F1EACC040")
            let tag = try NTAG424Tag(uid: uid, keys: Self.sunKeys, template: Self.sunTemplate, readCounter: 60)

            let first = try await Self.tap(tag, service, recorder)
            #expect(first.succeeded, "\(first.failure ?? "")")
            #expect(first.identifiers.sunTag == .init(uid: "04DE5F1EACC040", counter: 61))
            let second = try await Self.tap(tag, service, recorder)
            #expect(second.identifiers.sunTag?.counter == 62)

            // A clone that replays an old counter value.
            let clone = try NTAG424Tag(uid: uid, keys: Self.sunKeys, template: Self.sunTemplate, readCounter: 60)
            let replay = try await Self.tap(clone, service, recorder)
            #expect(!replay.succeeded)
            #expect(replay.failure?.contains("SUN tag rejected") == true, "\(replay.failure ?? "")")

            let wrongKeys = SUNKeys.fixed(
                metaReadKey: SymmetricKey(data: [UInt8](repeating: 0x24, count: 16)),
                fileReadKey: SymmetricKey(data: [UInt8](repeating: 0x99, count: 16)))
            let forged = try NTAG424Tag(uid: try TagUID(hex: "04DE5F1EACC041"), keys: wrongKeys, template: Self.sunTemplate)
            let forgedTap = try await Self.tap(forged, service, recorder)
            #expect(!forgedTap.succeeded)
            #expect(forgedTap.identifiers.sunTag == nil)
        }

        @Test("the companion app proves its enrolled device; an unknown device is refused")
        func companionApp() async throws {
            let (service, recorder) = try Self.start()
            defer { service.stop() }
            let enrolled = CompanionAppResponder(
                deviceID: Self.enrolledDevice, privateKey: CompanionAppCard.testKey(for: Self.enrolledDevice))
            let tap = try await Self.tap(try CompanionAppCard(responder: enrolled), service, recorder)
            #expect(tap.succeeded, "\(tap.failure ?? "")")
            #expect(tap.identifiers.appDevice == Self.enrolledDevice.description)
            #expect(tap.apduCount == 2, "SELECT + AUTHENTICATE")

            let strangerID = try AppDeviceID(bytes: Array("UNKNOWN-DEVICE-1".utf8))
            let stranger = CompanionAppResponder(deviceID: strangerID, privateKey: CompanionAppCard.testKey(for: strangerID))
            let refused = try await Self.tap(try CompanionAppCard(responder: stranger), service, recorder)
            #expect(!refused.succeeded)
            #expect(refused.failure?.contains("companion app rejected") == true, "\(refused.failure ?? "")")
        }

        @Test("EMV cards give a payment token (and a PAR when the card has one); the PAN appears nowhere",
              arguments: [PaymentCardProfile.Scheme.visa, .mastercard])
        func paymentCard(scheme: PaymentCardProfile.Scheme) async throws {
            let logs = LogCapture()
            let (service, recorder) = try Self.start(logs)
            defer { service.stop() }
            let profile = PaymentCardProfile.testCard(scheme)
            let pan = profile.pan.digits
            let tap = try await Self.tap(try EMVCard(profile: profile), service, recorder)
            #expect(tap.succeeded, "\(tap.failure ?? "")")
            let token = try #require(tap.identifiers.paymentToken)
            let expected = HMAC<SHA256>.authenticationCode(for: Data(pan.utf8), using: Self.paymentSecret)
            #expect(token == Data(expected).map { String(format: "%02X", $0) }.joined())
            #expect(tap.identifiers.paymentAccountReference == profile.paymentAccountReference)
            #expect(tap.identifiers.maskedPAN == String(pan.prefix(6)) + String(repeating: "*", count: pan.count - 10) + String(pan.suffix(4)))

            let json = String(decoding: try JSONEncoder().encode(tap), as: UTF8.self)
            #expect(!json.contains(pan))
            #expect(!json.contains(String(pan.prefix(12))))
            #expect(!"\(tap)".contains(pan))
            let logged = logs.text
            #expect(!logged.isEmpty)
            #expect(!logged.contains(pan))
            #expect(!logged.contains(String(pan.suffix(8))))
        }

        @Test("hostile cards give one clear failure each and the service keeps reading",
              arguments: HostileCard.Mode.allCases)
        func hostileCard(mode: HostileCard.Mode) async throws {
            let logs = LogCapture()
            // The product's deadline, which the slow card is there to meet.
            let (service, recorder) = try Self.start(logs, tapTimeout: TapIdentifier.defaultTimeout)
            defer { service.stop() }
            let bad = try await Self.tap(try HostileCard(mode: mode, delay: .seconds(5)), service, recorder,
                                         removal: .whenIdle(idle: .milliseconds(150), maximumDwell: .seconds(8)))
            #expect(!bad.succeeded, "mode \(mode) was accepted: \(bad.identifiers)")
            #expect(bad.failure?.isEmpty == false)
            #expect(bad.identifiers.isEmpty)
            #expect(logs.lines.filter { $0.contains("tap failed") }.count == 1, "\(logs.lines)")

            let good = try await Self.tap(try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04600D600D600D")), service, recorder)
            #expect(good.identifiers.cardUID == "04600D600D600D")
        }
    }
}

/// Collects a service's log lines in memory, to prove what is (and is not) logged.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }
    var text: String { lines.joined(separator: "\n") }

    func logger() -> Logger {
        Logger(label: "parcours.test") { [self] label in CaptureHandler(capture: self) }
    }

    fileprivate func append(_ line: String) { storage.withLock { $0.append(line) } }

    private struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
