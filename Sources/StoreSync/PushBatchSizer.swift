/// How many events the store's next push carries.
///
/// A fixed size cannot suit every shop line: on a LAN a catch-up of 200 000 events took 22 to 26 s in batches of
/// 500 and 13.5 s in batches of 5 000 (most of its time is per batch, not per event), while a 5 000-event batch,
/// ten times the bytes of a 500-event one, can outlast the 30 s request timeout on a slow shop uplink and then
/// never get through. So the size starts small and follows how long pushes take, like TCP's window: it doubles
/// after a full batch that went through quickly, and halves after one that was slow or failed slowly, never past
/// `largest` nor below `smallest`.
public struct PushBatchSizer: Sendable, Hashable {
    /// The configured most events a push may carry (`headOffice.batchSize`).
    public let largest: Int
    public let smallest: Int
    /// A push slower than this halves the next one; one faster than a quarter of it doubles the next.
    public let slowPush: Duration
    public private(set) var current: Int

    /// The first push's size, and the floor, when `largest` allows them.
    public static let startingSize = 500
    public static let smallestSize = 50

    /// `slowPush` is a sixth of the request timeout (5 s of the default 30 s): a push that slow is far from
    /// timing out, and halving it then leaves room for a link that gets slower still.
    public init(largest: Int, requestTimeout: Duration) {
        self.largest = max(1, largest)
        self.smallest = min(Self.smallestSize, self.largest)
        self.slowPush = requestTimeout / 6
        self.current = min(Self.startingSize, self.largest)
    }

    /// A push of `count` events answered after `elapsed`.
    public mutating func pushed(_ count: Int, in elapsed: Duration) {
        if elapsed > slowPush {
            current = max(smallest, current / 2)
        } else if elapsed < slowPush / 4 && count >= current {
            // Only a full batch says the link could take more: a short one just emptied the outbox.
            current = min(largest, current * 2)
        }
    }

    /// A push that failed after `elapsed`. A quick failure (connection refused, head office down) says nothing
    /// about the size; a slow one (a timeout, a line dropped mid-transfer) or head office's 413 does.
    public mutating func failed(after elapsed: Duration, tooLarge: Bool = false) {
        if tooLarge || elapsed > slowPush {
            current = max(smallest, current / 2)
        }
    }
}
