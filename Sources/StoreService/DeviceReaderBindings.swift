import StoreCore

/// Applies the configuration's `devices` list to the enrolled devices at start-up, so that which reader a kiosk or
/// till owns is written down in `config/` rather than remembered from an enrolment command.
public enum DeviceReaderBindings {
    /// What changed, one line per device whose reader was set or moved.
    ///
    /// - Throws: ``ConfigurationError`` naming `devices[i].name` when no active device has that name (enrol it
    ///   first: tokens are never in config), or when two active devices share it.
    @discardableResult
    public static func apply(_ entries: [StoreConfiguration.DeviceReader], to database: StoreDatabase) async throws -> [String] {
        guard !entries.isEmpty else { return [] }
        let active = try await database.devices().filter { !$0.isRevoked }
        var changes: [String] = []
        for (index, entry) in entries.enumerated() {
            let named = active.filter { $0.name == entry.name }
            guard let device = named.first else {
                throw ConfigurationError(key: "devices[\(index)].name",
                                         problem: "no enrolled device is named \(entry.name): enrol it with parcours device add")
            }
            guard named.count == 1 else {
                throw ConfigurationError(key: "devices[\(index)].name",
                                         problem: "\(named.count) enrolled devices are named \(entry.name): rename or revoke all but one")
            }
            guard device.boundReader != entry.reader else { continue }
            // The reader may only have one owner: a device bound to it and not listed gives it up.
            for other in active where other.boundReader == entry.reader && other.id != device.id
                && !entries.contains(where: { $0.name == other.name }) {
                _ = try await database.updateDevice(id: other.id, boundReader: .some(nil))
                changes.append("\(other.name) no longer owns \(entry.reader)")
            }
            _ = try await database.updateDevice(id: device.id, boundReader: .some(entry.reader))
            changes.append("\(entry.name) owns \(entry.reader)")
        }
        return changes
    }
}
