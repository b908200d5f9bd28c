import Foundation

/// What `/health` reports about the parts the HTTP server does not own: the readers the serve loop has seen.
public actor ServiceStatus {
    public private(set) var readers: Set<String> = []
    public private(set) var pcscAvailable: Bool?
    /// The head-office link in a few words, set by the sync engine after each round.
    public private(set) var headOffice = "not configured"

    public init() {}

    public func headOffice(_ summary: String) { headOffice = summary }
    public func readerAdded(_ name: String) { readers.insert(name) }
    public func readerRemoved(_ name: String) { readers.remove(name) }
    public func pcsc(available: Bool) {
        pcscAvailable = available
        if !available { readers.removeAll() }
    }
}
