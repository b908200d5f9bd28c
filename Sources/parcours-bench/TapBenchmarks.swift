import CardProtocols
import CardSecurity
import CardSimulator
import Crypto
import Foundation
import Logging
import PCSC
import ReaderService

/// Tap-to-UID and APDU round trip on the virtual rig, Parcours beside the C reference client, interleaved in
/// one run so both see the same machine.
enum TapBenchmarks {
    static let parcoursReaderIndex = 2
    static let referenceReaderIndex = 3
    static func pcscName(_ index: Int) -> String { "Parcours Virtual \(["A", "B", "C"][index / 2]) 00 0\(index % 2)" }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "parcours.bench")
        logger.logLevel = .error
        return logger
    }

    /// Both clients read the UID and the CC page of a blank NTAG213. Latency is measured from pcscd's first
    /// word to the card (its presence poll: the rig's 0–400 ms polling delay is not a client's cost) and
    /// from the card's arrival.
    static func tapToUID(taps: Int) async throws -> [String] {
        let parcoursReader = pcscName(parcoursReaderIndex)
        let service = ReaderService(readers: [parcoursReader], logger: quietLogger())
        defer { service.stop() }
        let results = TapInbox(service)
        guard await results.waitForReader(parcoursReader) else { throw BenchError("reader \(parcoursReader) never appeared") }

        let reference = try ReferenceClient(["watch", pcscName(referenceReaderIndex), "\(taps)"])
        defer { reference.stop() }
        guard reference.nextLine() == "ready" else { throw BenchError("the reference client did not start") }
        let bootBase = bootTimeNanoseconds()
        let clockBase = ContinuousClock.now

        var parcoursFromNotice = Samples(), parcoursFromArrival = Samples()
        var referenceFromNotice = Samples(), referenceFromArrival = Samples()
        var missed = 0
        let removal = RemovalPolicy.whenIdle(idle: .milliseconds(60), maximumDwell: .seconds(3))
        for number in 0..<taps {
            let uid = try TagUID(hex: String(format: "04BE9C%08X", number))
            // Parcours
            let report = try await VirtualReader.index(parcoursReaderIndex).tap(try NTAGTag(model: .ntag213, uid: uid), removal: removal)
            if let (tap, at) = await results.nextTap(on: parcoursReader), tap.identifiers.cardUID == uid.description,
                let noticed = report.controlEvents.first?.receivedAt
            {
                parcoursFromNotice.add(noticed.duration(to: at))
                parcoursFromArrival.add(report.connectedAt.duration(to: at))
            } else {
                missed += 1
            }
            await results.waitForRemoval(on: parcoursReader)
            // Reference
            let referenceReport = try await VirtualReader.index(referenceReaderIndex).tap(try NTAGTag(model: .ntag213, uid: uid), removal: removal)
            if let line = reference.nextLine(), line.hasPrefix("uid "), line.hasSuffix(uid.description),
                let stamp = UInt64(line.split(separator: " ")[1]), let noticed = referenceReport.controlEvents.first?.receivedAt
            {
                let at = clockBase.advanced(by: .nanoseconds(Int64(stamp) - Int64(bootBase)))
                referenceFromNotice.add(noticed.duration(to: at))
                referenceFromArrival.add(referenceReport.connectedAt.duration(to: at))
            } else {
                missed += 1
            }
            try await Task.sleep(for: .milliseconds(450))  // let pcscd see the reference card leave
        }
        return [
            "tap-to-UID, \(taps) taps each, UID + CC read of a blank NTAG213 (missed or wrong: \(missed))",
            "  from pcscd's first word to the card:  Parcours p50 \(format(parcoursFromNotice.median)) p99 \(format(parcoursFromNotice.p99))"
                + " | reference C client p50 \(format(referenceFromNotice.median)) p99 \(format(referenceFromNotice.p99))",
            "    Parcours adds: p50 \(format(parcoursFromNotice.median - referenceFromNotice.median)), p99 \(format(parcoursFromNotice.p99 - referenceFromNotice.p99)) (goal: p99 ≤ 2 ms)",
            "  from the card's arrival (includes pcscd's 0–400 ms presence polling): Parcours p50 \(format(parcoursFromArrival.median, digits: 1))"
                + " p99 \(format(parcoursFromArrival.p99, digits: 1)) | reference p50 \(format(referenceFromArrival.median, digits: 1)) p99 \(format(referenceFromArrival.p99, digits: 1))",
        ]
    }

    /// One APDU (`FF CA 00 00 00`) on a card held in the field, through Parcours' CardChannel and the C client.
    static func apduRoundTrip(count: Int) async throws -> (lines: [String], medianMilliseconds: Double) {
        let field = try await VirtualReader.index(parcoursReaderIndex).insert(try NTAGTag(model: .ntag213))
        defer { Task { await field.remove() } }
        let access = CardAccess(name: "bench")
        var channel: CardChannel?
        for _ in 0..<50 {  // pcscd notices the card within its polling period
            channel = try? await access.connect(reader: pcscName(parcoursReaderIndex))
            if channel != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let channel else { throw BenchError("could not connect to the bench card") }
        var parcours = Samples()
        let clock = ContinuousClock()
        for _ in 0..<count {
            parcours.add(try await clock.measure { _ = try await channel.transmit([0xFF, 0xCA, 0x00, 0x00, 0x00]) })
        }
        await channel.disconnect()

        let reference = try ReferenceClient(["rtt", pcscName(parcoursReaderIndex), "\(count)"])
        var referenceSamples = Samples()
        while let line = reference.nextLine(), line.hasPrefix("rtt ") {
            if let nanoseconds = Double(line.dropFirst(4)) { referenceSamples.add(nanoseconds / 1e6) }
        }
        await field.remove()
        return ([
            "APDU round trip (FF CA 00 00 00 through pcscd + vpcd), \(count) each:",
            "  Parcours CardChannel p50 \(format(parcours.median)) p99 \(format(parcours.p99)) | reference C client p50 \(format(referenceSamples.median)) p99 \(format(referenceSamples.p99))"
                + " | ratio p50 \(String(format: "%.2f", parcours.median / referenceSamples.median))",
        ], referenceSamples.median)
    }

    /// For each card kind: APDUs per tap and tap-to-result time, with what is left once the rig's APDU round
    /// trips are taken away (Parcours' own processing).
    static func cardKinds(tapsPerKind: Int, bareRoundTrip: Double) async throws -> [String] {
        let host = "parcours.example"
        let keyring = try LoyaltyCardKeyring(keys: ["k1": SymmetricKey(size: .bits256)], currentKeyID: "k1")
        let sunKeys = SUNKeys.fixed(metaReadKey: SymmetricKey(size: .bits128), fileReadKey: SymmetricKey(size: .bits128))
        let template = try SUNURLTemplate("https://\(host)/t?picc_data={picc}&cmac={mac}", macInputStart: .component(.mac))
        let device = CompanionAppCard.sampleDeviceID
        let deviceKey = CompanionAppCard.testKey(for: device).publicKey
        let policy = IdentificationPolicy(
            storeID: "bench",
            loyaltyCards: try LoyaltyCardVerifier(keyring: keyring, hosts: [host]),
            sunTags: try SUNVerifier(layout: template.layout, keys: sunKeys, counterStore: InMemorySUNCounterStore()),
            paymentTokens: try PaymentTokenizer(secret: SymmetricKey(size: .bits256)),
            appDeviceKeys: { $0 == device ? deviceKey : nil })
        let reader = pcscName(parcoursReaderIndex)
        let service = ReaderService(identifier: TapIdentifier(policy: policy), readers: [reader], logger: quietLogger())
        defer { service.stop() }
        let results = TapInbox(service)
        guard await results.waitForReader(reader) else { throw BenchError("reader \(reader) never appeared") }

        let signer = LoyaltyCardSigner(keyring: keyring)
        let sunTag = try NTAG424Tag(uid: try TagUID(hex: "04DE5F1EACC040"), keys: sunKeys, template: template)
        let kinds: [(String, () throws -> any VirtualCard)] = [
            ("blank NTAG213 (UID)", { try NTAGTag(model: .ntag213) }),
            ("Parcours loyalty card (NTAG213)", {
                let uid = TagUID.sample
                let url = try signer.makeCardURL(host: host, cardID: signer.makeCardID(), uid: uid.bytes)
                return try NTAGTag(model: .ntag213, uid: uid, ndef: NDEFMessage(records: [.uri(url)]))
            }),
            ("NTAG 424 DNA SUN", { sunTag }),
            ("companion app (HCE)", {
                try CompanionAppCard(responder: CompanionAppResponder(deviceID: device, privateKey: CompanionAppCard.testKey(for: device)))
            }),
            ("Visa (EMV, PAR)", { try EMVCard(profile: .testCard(.visa)) }),
            ("Mastercard (EMV)", { try EMVCard(profile: .testCard(.mastercard)) }),
        ]
        var lines = ["per card kind, \(tapsPerKind) taps each (bare APDU round trip \(format(bareRoundTrip))):"]
        for (name, makeCard) in kinds {
            var times = Samples(), own = Samples()
            var apdus = 0, failures = 0
            for _ in 0..<tapsPerKind {
                _ = try await VirtualReader.index(parcoursReaderIndex).tap(
                    try makeCard(), removal: .whenIdle(idle: .milliseconds(60), maximumDwell: .seconds(3)))
                guard let (tap, _) = await results.nextTap(on: reader), tap.succeeded else { failures += 1; continue }
                apdus = tap.apduCount
                times.add(tap.milliseconds)
                own.add(tap.milliseconds - Double(tap.apduCount) * bareRoundTrip)
                await results.waitForRemoval(on: reader)
            }
            lines.append(
                "  \(name): \(apdus) APDUs, tap-to-result p50 \(format(times.median)) p99 \(format(times.p99)),"
                    + " Parcours' own share p50 \(format(own.median)) (goal < 1 ms)\(failures > 0 ? ", \(failures) failed" : "")")
        }
        return lines
    }
}

/// The reader service's events, for the bench to wait on.
actor TapInbox {
    private var taps: [String: [(TapResult, ContinuousClock.Instant)]] = [:]
    private var readers: Set<String> = []
    private var cardPresent: [String: Bool] = [:]

    init(_ service: ReaderService) {
        Task { [weak self] in
            for await event in service.events {
                let now = ContinuousClock.now
                await self?.record(event, at: now)
            }
        }
    }

    private func record(_ event: ReaderService.Event, at instant: ContinuousClock.Instant) {
        switch event {
        case .tap(let tap): taps[tap.reader, default: []].append((tap, instant))
        case .reader(.readerAdded(let name)): readers.insert(name)
        case .reader(.cardInserted(let name, _)): cardPresent[name] = true
        case .reader(.cardRemoved(let name)): cardPresent[name] = false
        default: break
        }
    }

    func waitForReader(_ name: String) async -> Bool {
        for _ in 0..<200 where !readers.contains(name) { try? await Task.sleep(for: .milliseconds(25)) }
        return readers.contains(name)
    }

    func nextTap(on reader: String) async -> (TapResult, ContinuousClock.Instant)? {
        for _ in 0..<400 {
            if let first = taps[reader]?.first {
                taps[reader]?.removeFirst()
                return first
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// Until pcscd has seen the card leave: the next card may only come then, as with a real reader.
    func waitForRemoval(on reader: String) async {
        for _ in 0..<400 where cardPresent[reader] == true { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
