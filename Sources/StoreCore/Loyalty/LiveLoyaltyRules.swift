import Synchronization

/// The rules a running store earns by. They change while it runs when head office sends new ones, so every copy
/// of a `StoreDatabase` shares this one box; the sync writes it right after the commit that stored the new rules,
/// on the writer's queue, so no write transaction ever sees the rules change halfway through.
final class LiveLoyaltyRules: Sendable {
    private let state: Mutex<LoyaltyRules>

    init(_ rules: LoyaltyRules) {
        state = Mutex(rules)
    }

    var current: LoyaltyRules {
        state.withLock { $0 }
    }

    func replace(with rules: LoyaltyRules) {
        state.withLock { $0 = rules }
    }
}
