/// A ``SUNCounterStore`` held in memory: for tests, the simulator and single-process tools. It
/// forgets everything on restart, so production needs a persistent store.
public actor InMemorySUNCounterStore: SUNCounterStore {
    private var lastCounters: [[UInt8]: UInt32] = [:]

    public init() {}

    public func advance(uid: [UInt8], to counter: UInt32) -> Bool {
        if let last = lastCounters[uid], counter <= last {
            return false
        }
        lastCounters[uid] = counter
        return true
    }

    public func lastCounter(uid: [UInt8]) -> UInt32? {
        lastCounters[uid]
    }
}
