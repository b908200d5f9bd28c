import Foundation
import GRDB
import Logging
import StoreCore
import SyncProtocol

/// A store's traffic for the head-office suite, written by a real ``StoreDatabase``: sign-ups at the kiosk, known
/// customers tapping their loyalty card, anonymous bank and transport cards, till sales with and without a
/// customer. Every event is what the store's own write paths put in its outbox, byte for byte.
///
/// One person every 1 to 4 s of simulated time, so 200 000 events are a few days of a busy store, with the visit
/// window and the daily visit bonus in play.
enum StoreTraffic {
    /// The template store. Its id is also in its customers' emails and loyalty cards, so that
    /// ``events(_:forStore:storeId:)`` can turn its events into another store's by rewriting that one token.
    static let templateStoreId = "bench-s000"
    static let start = Date(timeIntervalSince1970: 1_767_600_000)  // 2026-01-05 08:00 UTC

    struct Generated {
        var operations: Int
        var events: Int
        var simulatedHours: Double
        var seconds: Double
    }

    /// Runs traffic on a new store file at `path` until its outbox holds at least `events` events, then closes it.
    static func generate(path: String, events target: Int, logger: Logger) async throws -> Generated {
        let store = try await StoreDatabase.open(
            path: path, options: .init(storeId: templateStoreId, synchronous: .normal, logger: logger))
        var random = SplitMix64(seed: 0x5EED_2026)
        var customers: [(id: String, card: String, bank: String?)] = []
        var anonymousCards: [String] = []
        var now = start
        var operations = 0
        var receipts = 0
        var cards = 0
        var written = 0
        func purchase(receipt: Int, profileId: String?) async throws {
            let amount = Int64(300 + random.below(14_700))
            let lines = random.unit() < 0.5
                ? [PurchaseLine(sku: "SKU-\(random.below(500))", quantity: 1, amountMinor: amount / 2),
                   PurchaseLine(sku: "SKU-\(random.below(500))", quantity: 1 + random.below(3), amountMinor: amount - amount / 2)]
                : nil
            _ = try await store.recordPurchase(PurchaseRequest(
                receiptId: "R-\(receipt)", tillDeviceId: "till-1", amountMinor: amount, currency: "EUR",
                lines: lines, profileId: profileId, at: now.addingTimeInterval(0.5)))
        }
        let clock = ContinuousClock()
        let began = clock.now
        while written < target {
            // One person at a time: a customer the store knows (more of them as sign-ups add up), or someone with an
            // anonymous card, who sometimes signs up right after the tap.
            if random.unit() < min(0.55, Double(customers.count) / 200) {
                let customer = customers[random.below(customers.count)]
                let identifiers = random.unit() < 0.7 || customer.bank == nil
                    ? TapIdentifiers(loyaltyCard: customer.card) : TapIdentifiers(cardUID: customer.bank)
                _ = try await store.recordTap(Tap(identifiers: identifiers, deviceId: "kiosk-1", reader: "ACS ACR1252 00 00", at: now))
                if random.unit() < 0.5 {
                    receipts += 1
                    try await purchase(receipt: receipts, profileId: customer.id)
                }
            } else {
                let card: String
                if anonymousCards.isEmpty || random.unit() < 0.7 {
                    cards += 1
                    card = "040000" + hex(cards, digits: 8)
                    anonymousCards.append(card)
                } else {
                    card = anonymousCards[random.below(anonymousCards.count)]
                }
                _ = try await store.recordTap(Tap(identifiers: TapIdentifiers(cardUID: card), deviceId: "kiosk-1",
                                                  reader: "ACS ACR1252 00 00", at: now))
                let roll = random.unit()
                if roll < 0.04 {
                    // Sign-up at the kiosk: email, a new loyalty card and the bank card just tapped.
                    let number = customers.count
                    let loyaltyCard = "LC-\(templateStoreId)-\(number)"
                    anonymousCards.removeAll { $0 == card }
                    let outcome = try await store.signUp(SignUpRequest(
                        firstName: "Client\(number)", email: "c\(number)@\(templateStoreId).example", language: "fr",
                        consents: [.marketingEmail: random.unit() < 0.6, .marketingSMS: random.unit() < 0.3, .profiling: random.unit() < 0.4],
                        identifiers: TapIdentifiers(cardUID: card, loyaltyCard: loyaltyCard), at: now.addingTimeInterval(0.2)))
                    customers.append((outcome.profile.id, loyaltyCard, card))
                } else if roll < 0.34 {
                    receipts += 1
                    try await purchase(receipt: receipts, profileId: nil)
                }
            }
            operations += 1
            now = now.addingTimeInterval(1 + 3 * random.unit())
            if operations % 500 == 0 || written + 500 >= target {
                written = try await store.pendingOutboxCount()
            }
        }
        try store.close()
        return Generated(operations: operations, events: written, simulatedHours: now.timeIntervalSince(start) / 3600,
                         seconds: StoreBenchmarks.seconds(clock.now - began))
    }

    /// The store's outbox as the sync engine sends it (`SyncEvent(outbox:)`), in sequence order.
    static func events(path: String, through last: Int64) async throws -> [SyncEvent] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        let rows = try await queue.read { db in
            try OutboxEvent.filter(Column("sequence") <= last).order(Column("sequence")).fetchAll(db)
        }
        return rows.map { event in
            SyncEvent(id: event.id, sequence: event.sequence, type: event.type.rawValue, schemaVersion: event.schemaVersion,
                      payload: event.payload,
                      createdAt: event.createdAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
    }

    /// The template store's events as another store of the chain would send them: its own store id (in
    /// `storeId` fields, emails and loyalty cards), its own anonymous card UIDs, and its own ids (16 bits of every
    /// UUID's random part replaced by the store's number: consistent within the store, distinct between stores).
    static func events(_ template: [SyncEvent], forStore number: Int, storeId: String) -> [SyncEvent] {
        precondition(storeId.utf8.count == templateStoreId.utf8.count && (1...0xFFFF).contains(number))
        let tag = Array(hex(number, digits: 4).lowercased().utf8)
        let upperTag = Array(hex(number, digits: 4).utf8)
        let from = Array(templateStoreId.utf8), to = Array(storeId.utf8)
        let cardMarker = Array(#""value":"040000"#.utf8)
        func rewrite(_ text: String) -> String {
            var bytes = Array(text.utf8)
            var index = 0
            while index < bytes.count {
                if isUUID(bytes, at: index) {
                    bytes.replaceSubrange((index + 24)..<(index + 28), with: tag)
                    index += 36
                } else if bytes[index] == from[0], bytes.count - index >= from.count, Array(bytes[index..<(index + from.count)]) == from {
                    bytes.replaceSubrange(index..<(index + from.count), with: to)
                    index += from.count
                } else if bytes[index] == cardMarker[0], bytes.count - index >= cardMarker.count,
                          Array(bytes[index..<(index + cardMarker.count)]) == cardMarker {
                    bytes.replaceSubrange((index + cardMarker.count - 4)..<(index + cardMarker.count), with: upperTag)
                    index += cardMarker.count
                } else {
                    index += 1
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return template.map { event in
            var copy = event
            copy.id = rewrite(event.id)
            copy.payload = rewrite(event.payload)
            return copy
        }
    }

    private static func isUUID(_ bytes: [UInt8], at start: Int) -> Bool {
        guard bytes.count - start >= 36 else { return false }
        for offset in 0..<36 {
            let byte = bytes[start + offset]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                if byte != UInt8(ascii: "-") { return false }
            } else if !((UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)) {
                return false
            }
        }
        return true
    }

    static func hex(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// A small seeded generator, so every run simulates the same traffic.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
