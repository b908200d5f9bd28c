import Logging
import Foundation
import StoreCore

/// The tap in front of one device, as the board keeps it.
public struct CurrentTap: Sendable {
    /// Opaque and random: the kiosk sends it back with feedback or a sign-up, which proves it saw this tap and
    /// lets the server bind the tapped identifiers without ever showing them to the page.
    public var tapRef: String
    public var deviceId: String
    public var at: Date
    /// nil for a card no profile owns yet: the kiosk offers a sign-up.
    public var greeting: TapGreeting?
    /// What the card proved, kept server-side for the sign-up that binds it.
    var identifiers: StoreCore.TapIdentifiers
    /// When the board last saw activity for this tap (post, feedback, sign-up): the idle timeout counts from here.
    var touchedAt: Date
}

/// Who the tap is, for the screen. StoreCore's `Greeting` has no public initializer, and after a sign-up the board
/// must greet the new customer without a second tap, so the board keeps its own copy.
public struct TapGreeting: Sendable, Hashable {
    public var profileId: String
    public var firstName: String
    public var language: String
    public var points: Int64
    public var tier: String
    public var affordableRewards: [Reward]

    public init(profileId: String, firstName: String, language: String, points: Int64, tier: String,
                affordableRewards: [Reward]) {
        self.profileId = profileId
        self.firstName = firstName
        self.language = language
        self.points = points
        self.tier = tier
        self.affordableRewards = affordableRewards
    }

    public init(_ greeting: Greeting) {
        self.init(profileId: greeting.profileId, firstName: greeting.firstName, language: greeting.language,
                  points: greeting.points, tier: greeting.tier, affordableRewards: greeting.affordableRewards)
    }
}

/// The JSON a device receives for its current tap (HTTP and WebSocket alike).
///
/// A kiosk gets only what the screen shows: first name, points, tier and the rewards within reach. A till with a
/// staff session also gets the profile id, to open the customer panel.
struct CurrentTapView: Encodable, Hashable, Sendable {
    var type = "tap"
    var tapRef: String
    var at: Date
    /// "known" or "unknown".
    var customer: String
    var greeting: GreetingView?
    var profileId: String?

    struct GreetingView: Encodable, Hashable, Sendable {
        var firstName: String
        var language: String
        var points: Int64
        var tier: String
        var affordableRewards: [RewardView]
    }

    init(_ tap: CurrentTap, includeProfileId: Bool) {
        tapRef = tap.tapRef
        at = tap.at
        customer = tap.greeting == nil ? "unknown" : "known"
        greeting = tap.greeting.map {
            GreetingView(firstName: $0.firstName, language: $0.language, points: $0.points, tier: $0.tier,
                         affordableRewards: $0.affordableRewards.map(RewardView.init))
        }
        profileId = includeProfileId ? tap.greeting?.profileId : nil
    }
}

struct RewardView: Codable, Hashable, Sendable {
    var id: String
    var name: String
    var cost: Int64
    var active: Bool

    init(_ reward: Reward) {
        id = reward.id
        name = reward.name
        cost = reward.cost
        active = reward.active
    }
}
