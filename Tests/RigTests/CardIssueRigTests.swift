import CardProtocols
import CardSecurity
import CardSimulator
import Crypto
import Foundation
import Logging
import PCSC
import ReaderService
import Testing

/// `parcours card issue` against the real stack: the issuer waits for a tag on a virtual reader, writes a
/// signed card with `FF D6`, reads it back; locked, too small and foreign tags are refused untouched.
extension RigSuite {
    @Suite
    struct CardIssueRigTests {
        static let reader = 3
        static let host = "parcours.example"
        static let environment: [String: String] = [
            "PARCOURS_PAYMENT_TOKEN_SECRET": String(repeating: "5a", count: 32),
            "PARCOURS_LOYALTY_KEYS": "k1:" + String(repeating: "31", count: 32),
            "PARCOURS_SUN_META_KEY": String(repeating: "00", count: 16),
            "PARCOURS_SUN_FILE_KEY": String(repeating: "00", count: 16),
        ]
        /// A card stays until the issuer has been quiet for a moment (it writes, then reads back).
        static let tapUntilDone = RemovalPolicy.whenIdle(idle: .milliseconds(300), maximumDwell: .seconds(8))

        /// Settings as the CLI builds them: config defaults, secrets from the environment, no secrets file.
        static func settings(_ environment: [String: String] = environment) throws -> IdentificationSettings {
            try IdentificationSettings.load(
                configPath: nil, defaultConfigPath: "/nonexistent/identification.json", environment: environment,
                secretsFile: "/nonexistent/secrets.json")
        }

        init() throws { try Rig.ensureStarted() }

        /// Runs the issuer for the next tap on the test reader while `tag` is tapped there.
        static func issue(
            _ tag: any VirtualCard, issuer: CardIssuer, reissue: Bool = false, removal: RemovalPolicy = tapUntilDone
        ) async throws -> (result: Result<IssuedCard, CardIssueError>, report: TapReport) {
            let name = Rig.readerName(reader)
            let issuing = Task { () -> Result<IssuedCard, CardIssueError> in
                do {
                    return .success(try await issuer.issueNextTap(reader: name, host: host, reissue: reissue, waitingUpTo: .seconds(10)))
                } catch let error as CardIssueError {
                    return .failure(error)
                }
            }
            // Let the issuer's monitor list the readers first, as an operator starts the command before tapping.
            try await Task.sleep(for: .milliseconds(300))
            let report = try await Rig.reader(reader).tap(tag, removal: removal)
            let result = try await issuing.value
            try await waitUntilReaderEmpty()
            return (result, report)
        }

        /// Waits until pcscd has seen the card leave (it polls virtual readers every 400 ms), so the next
        /// reader client does not meet the card that just left.
        static func waitUntilReaderEmpty() async throws {
            let access = CardAccess(name: "issue-test")
            let name = Rig.readerName(reader)
            let deadline = ContinuousClock.now.advanced(by: .seconds(3))
            while ContinuousClock.now < deadline {
                if try await access.snapshot().first(where: { $0.name == name })?.isCardPresent != true { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("pcscd still reports a card on \(name) 3 s after it left")
        }

        /// A fresh reader service tap, as any till would read the card.
        static func identify(_ tag: any VirtualCard, with identifier: TapIdentifier) async throws -> TapResult {
            var logger = Logger(label: "parcours.test")
            logger.logLevel = .warning
            var identifier = identifier
            identifier.timeout = Rig.patientTapTimeout
            let service = ReaderService(identifier: identifier, logger: logger)
            defer { service.stop() }
            let recorder = EventRecorder()
            _ = recorder.follow(service)
            let name = Rig.readerName(reader)
            _ = await recorder.next { $0.readerEvent == .readerAdded(name) }
            _ = try await Rig.reader(reader).tap(tag, removal: .whenIdle(idle: .milliseconds(400), maximumDwell: .seconds(5)))
            let tap = try #require(await recorder.next { $0.tap?.reader == name }?.tap)
            _ = await recorder.next { $0.readerEvent == .cardRemoved(reader: name) }
            return tap
        }

        @Test("a blank NTAG213 becomes a signed card that a fresh tap identifies")
        func issueBlankNTAG213() async throws {
            let settings = try Self.settings()
            let tag = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04C1A55E000001"))
            let (result, report) = try await Self.issue(tag, issuer: try CardIssuer(settings: settings))
            let card = try result.get()
            #expect(card.uid == "04C1A55E000001")
            #expect(card.reader == Rig.readerName(Self.reader))
            #expect(card.keyID == "k1")
            #expect(!card.reissued)
            #expect(card.url == "https://parcours.example/c/\(card.cardID)?k=k1&s=" + card.url.split(separator: "=").last!)

            // The simulator's memory holds exactly that URL, after NTAG213's Lock Control TLV.
            let message = try #require(try tag.ndefMessage())
            #expect(message.records.count == 1)
            #expect(message.records.first?.uri == card.url)
            #expect(Array(tag.userMemory.prefix(5)) == [0x01, 0x03, 0xA0, 0x0C, 0x34])
            // Every write went through as FF D6 00 page 04 and was answered 90 00.
            let writes = report.exchanges.filter { $0.command.starts(with: [0xFF, 0xD6, 0x00]) }
            #expect(writes.count == card.pageWrites)
            #expect(writes.allSatisfy { $0.command.count == 9 && $0.command[4] == 0x04 && $0.statusWord == 0x9000 })

            let tap = try await Self.identify(tag, with: try settings.tapIdentifier())
            #expect(tap.succeeded, "\(tap.failure ?? "")")
            #expect(tap.identifiers.loyaltyCard == card.cardID)
            #expect(tap.identifiers.cardUID == "04C1A55E000001")
        }

        @Test("NTAG215 and NTAG216 are issued too (their dynamic lock bytes sit past a shorter data area)",
              arguments: [NTAGModel.ntag215, .ntag216])
        func issueLargerTags(model: NTAGModel) async throws {
            let tag = try NTAGTag(model: model, uid: try TagUID(hex: "04C1A55E0002\(model == .ntag215 ? "15" : "16")"))
            let (result, report) = try await Self.issue(tag, issuer: try CardIssuer(settings: try Self.settings()))
            let card = try result.get()
            #expect(card.dataAreaSize == model.dataAreaSize)
            #expect(try tag.ndefMessage()?.records.first?.uri == card.url)
            let lockPage = UInt8(model.dynamicLockPage)
            #expect(report.exchanges.contains { $0.command == [0xFF, 0xB0, 0x00, lockPage, 0x10] }, "the dynamic lock bytes were not read")
        }

        enum Lock: String, CaseIterable, CustomTestStringConvertible {
            case readOnly, staticLockBits, dynamicLockBits
            var testDescription: String { rawValue }

            func make() throws -> NTAGTag {
                let tag = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04CC0C0C0C0C0C"))
                switch self {
                case .readOnly:
                    tag.makeReadOnly()
                case .staticLockBits:
                    // Page 2 bytes 2–3: lock pages 4–7 only, the CC still says writable.
                    #expect(tag.respond(to: [0xFF, 0xD6, 0x00, 0x02, 0x04, 0x00, 0x00, 0xF0, 0x00]) == [0x90, 0x00])
                case .dynamicLockBits:
                    // NTAG213's dynamic lock bytes (page 0x28): lock pages 16–17.
                    #expect(tag.respond(to: [0xFF, 0xD6, 0x00, 0x28, 0x04, 0x01, 0x00, 0x00, 0x00]) == [0x90, 0x00])
                    #expect(tag.isLocked(page: 16))
                }
                return tag
            }
        }

        @Test("a locked tag is refused and left unchanged", arguments: Lock.allCases)
        func refuseLocked(lock: Lock) async throws {
            let tag = try lock.make()
            let before = tag.memory
            let (result, report) = try await Self.issue(tag, issuer: try CardIssuer(settings: try Self.settings()), reissue: true)
            guard case .failure(let error) = result else {
                Issue.record("a \(lock) tag was issued: \(result)")
                return
            }
            #expect(error.code == .locked, "\(error.message)")
            #expect(error.message.contains("locked"))
            #expect(tag.memory == before)
            #expect(!report.exchanges.contains { $0.command.starts(with: [0xFF, 0xD6]) }, "a write was attempted")
        }

        @Test("a tag whose CC declares too small a data area is refused and left unchanged")
        func refuseTooSmall() async throws {
            let tag = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04511A11511A11"), dataAreaSize: 48)
            let before = tag.memory
            let (result, _) = try await Self.issue(tag, issuer: try CardIssuer(settings: try Self.settings()))
            guard case .failure(let error) = result else {
                Issue.record("a too-small tag was issued: \(result)")
                return
            }
            #expect(error.code == .tooSmall, "\(error.message)")
            #expect(error.message.contains("declares 48"), "\(error.message)")
            #expect(tag.memory == before)
        }

        @Test("a tag with someone else's URL is refused, with or without --reissue, and left unchanged",
              arguments: [false, true])
        func refuseForeign(reissue: Bool) async throws {
            let foreign = NDEFMessage(records: [.uri("https://example.org/welcome?ref=not-parcours")])
            let tag = try NTAGTag(model: .ntag215, uid: try TagUID(hex: "04F0F0F0F0F0F0"), ndef: foreign)
            let before = tag.memory
            let (result, _) = try await Self.issue(tag, issuer: try CardIssuer(settings: try Self.settings()), reissue: reissue)
            guard case .failure(let error) = result else {
                Issue.record("a foreign tag was issued: \(result)")
                return
            }
            #expect(error.code == .foreign, "\(error.message)")
            #expect(error.message.contains("example.org"))
            #expect(!error.message.contains("not-parcours"), "the refusal repeats the tag's content")
            #expect(tag.memory == before)
            #expect(try tag.ndefMessage() == foreign)
        }

        @Test("an issued card is refused without --reissue; with it, re-signed with the new current key under the same id")
        func reissueAfterKeyRotation() async throws {
            let tag = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04BE15500E0001"))
            let first = try await Self.issue(tag, issuer: try CardIssuer(settings: try Self.settings())).result.get()

            let before = tag.memory
            let (again, _) = try await Self.issue(tag, issuer: try CardIssuer(settings: try Self.settings()))
            guard case .failure(let error) = again else {
                Issue.record("an issued card was overwritten without --reissue")
                return
            }
            #expect(error.code == .alreadyIssued)
            #expect(error.message.contains(first.cardID))
            #expect(tag.memory == before)

            // Key rotation: k2 signs, k1 is still accepted.
            var rotated = Self.environment
            rotated["PARCOURS_LOYALTY_KEYS"] = "k1:" + String(repeating: "31", count: 32) + ",k2:" + String(repeating: "32", count: 32)
            rotated["PARCOURS_LOYALTY_KEY_CURRENT"] = "k2"
            let rotatedSettings = try Self.settings(rotated)
            let second = try await Self.issue(tag, issuer: try CardIssuer(settings: rotatedSettings), reissue: true).result.get()
            #expect(second.reissued)
            #expect(second.cardID == first.cardID)
            #expect(second.previousCardID == first.cardID)
            #expect(second.keyID == "k2")
            #expect(second.url.contains("?k=k2&s="))
            #expect(try tag.ndefMessage()?.records.first?.uri == second.url)

            let tap = try await Self.identify(tag, with: try rotatedSettings.tapIdentifier())
            #expect(tap.identifiers.loyaltyCard == first.cardID, "\(tap.failure ?? "")")
        }

        @Test("a tag pulled away while being written reads as blank, and can then be issued")
        func tornWriteLeavesBlankTag() async throws {
            let tag = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04700270027002"))
            // APDUs: UID, pages 0–3, CC + data area, dynamic lock bytes, then writes: leave during the 4th write.
            let (result, report) = try await Self.issue(
                tag, issuer: try CardIssuer(settings: try Self.settings()),
                removal: .duringCommand(number: 8, maximumDwell: .seconds(8)))
            guard case .failure(let error) = result else {
                Issue.record("the interrupted issue succeeded: \(result)")
                return
            }
            #expect(error.code == .cardLeft || error.code == .timedOut, "\(error.message)")
            let writes = report.exchanges.filter { $0.command.starts(with: [0xFF, 0xD6]) && $0.statusWord == 0x9000 }
            #expect((1..<10).contains(writes.count), "\(report.exchanges.map { $0.command.prefix(5).map { String(format: "%02X", $0) }.joined() })")
            #expect(try tag.ndefMessage() == nil, "a half-written card reads as a card")

            let card = try await Self.issue(tag, issuer: try CardIssuer(settings: try Self.settings())).result.get()
            #expect(try tag.ndefMessage()?.records.first?.uri == card.url)
        }

        @Test("a card that left just before the issuer started is not taken for the next one")
        func cardThatJustLeft() async throws {
            let earlier = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04EA21E4000001"))
            _ = try await Rig.reader(Self.reader).tap(earlier, dwell: .milliseconds(800))
            // No wait: pcscd may still report the card that just left when the issuer starts looking.
            let next = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04EA21E4000002"))
            let (result, _) = try await Self.issue(next, issuer: try CardIssuer(settings: try Self.settings()))
            let card = try result.get()
            #expect(card.uid == "04EA21E4000002")
            #expect(try next.ndefMessage()?.records.first?.uri == card.url)
            #expect(try earlier.ndefMessage() == nil)
        }

        // MARK: The command

        /// The `parcours` executable built next to the test bundle.
        static let executable: String? = {
            var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("parcours").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            return nil
        }()

        struct CommandRun {
            let status: Int32
            let output: String
            let errors: String
            var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any]) ?? [:] }
        }

        /// Runs `parcours` in an empty directory with only the given PARCOURS_ variables, doing `meanwhile`
        /// (tapping a card) while it runs.
        static func parcours(
            _ arguments: [String], environment: [String: String] = environment, meanwhile: () async throws -> Void = {}
        ) async throws -> CommandRun {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-issue-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(executable))
            process.arguments = arguments
            process.currentDirectoryURL = directory
            var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PARCOURS_") }
            variables.merge(environment) { $1 }
            variables["PARCOURS_SECRETS_FILE"] = directory.appendingPathComponent("secrets.json").path
            process.environment = variables
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            let exited = AsyncStream<Int32>.makeStream()
            process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
            try process.run()
            try await meanwhile()
            var status: Int32 = -1
            for await code in exited.stream {
                status = code
                break
            }
            let run = CommandRun(
                status: status, output: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                errors: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("secrets.json").path),
                    "secrets came from the environment, yet a secrets file was made")
            return run
        }

        @Test("parcours card issue --json writes a blank tag and prints the card; a locked tag exits 2 with the reason",
              .enabled(if: executable != nil, "the parcours executable was not built"))
        func command() async throws {
            let blank = try NTAGTag(model: .ntag215, uid: try TagUID(hex: "04C0DE00C0DE01"))
            let issued = try await Self.parcours(["card", "issue", "--reader", "\(Self.reader)", "--json", "--wait", "10"]) {
                try await Task.sleep(for: .milliseconds(800))
                _ = try await Rig.reader(Self.reader).tap(blank, removal: Self.tapUntilDone)
                try await Self.waitUntilReaderEmpty()
            }
            #expect(issued.status == 0, "\(issued.errors)")
            #expect(issued.json["issued"] as? Bool == true)
            #expect(issued.json["uid"] as? String == "04C0DE00C0DE01")
            let url = try #require(issued.json["url"] as? String)
            let cardID = try #require(issued.json["cardID"] as? String)
            #expect(url.hasPrefix("https://parcours.example/c/\(cardID)?k=k1&s="))
            #expect(try blank.ndefMessage()?.records.first?.uri == url)
            #expect(!issued.output.contains(String(repeating: "31", count: 8)), "the key is printed")

            let locked = try NTAGTag(model: .ntag213, uid: try TagUID(hex: "04C0DE00C0DE02"))
            locked.makeReadOnly()
            let refused = try await Self.parcours(["card", "issue", "--reader", "Virtual B 00 01", "--json", "--wait", "10"]) {
                try await Task.sleep(for: .milliseconds(800))
                _ = try await Rig.reader(Self.reader).tap(locked, removal: Self.tapUntilDone)
                try await Self.waitUntilReaderEmpty()
            }
            #expect(refused.status == 2, "\(refused.errors)")
            #expect(refused.json["issued"] as? Bool == false)
            #expect(refused.json["code"] as? String == "locked")
            #expect((refused.json["reason"] as? String)?.contains("locked") == true)
        }

        @Test("parcours card issue refuses an unknown profile, an unknown host and an ambiguous reader before any tag is written",
              .enabled(if: executable != nil, "the parcours executable was not built"))
        func commandRefusesBeforeTapping() async throws {
            let profile = try await Self.parcours(
                ["card", "issue", "--reader", "\(Self.reader)", "--profile", UUID().uuidString.lowercased(),
                 "--database", "store.sqlite", "--store-id", "store-test", "--wait", "1"])
            #expect(profile.status != 0 && profile.status != 2)
            #expect(profile.errors.contains("no profile"), "\(profile.errors)")

            let host = try await Self.parcours(["card", "issue", "--reader", "\(Self.reader)", "--host", "shop.example", "--wait", "1"])
            #expect(host.status == 64)
            #expect(host.errors.contains("not one of the loyalty card hosts"), "\(host.errors)")

            let reader = try await Self.parcours(["card", "issue", "--reader", "Virtual", "--wait", "1"])
            #expect(reader.status == 64)
            #expect(reader.errors.contains("matches"), "\(reader.errors)")
        }
    }
}
