import Crypto
import Foundation
import StoreCore
import Synchronization

/// Device tokens that authenticated recently, so that a screen polling the API does not cost a database read on
/// every request.
///
/// An entry lives for `lifetime` (2 s by default). A device revoked through the API is forgotten at once; one
/// revoked with `parcours device revoke` from another process stops working within that time. Keys are SHA-256 of
/// the tokens, as in the database: the cache holds no usable token.
public final class DeviceTokenCache: Sendable {
    private struct Entry: Sendable {
        var device: Device
        var checkedAt: Date
    }

    /// Far above the devices of one store; only tokens that authenticated get in, so this bounds nothing a client
    /// controls, but a bound keeps it honest.
    private static let capacity = 1024
    private let entries = Mutex<[SHA256.Digest: Entry]>([:])
    let lifetime: TimeInterval
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock, injectable so that expiry is tested without waiting.
    public init(lifetime: TimeInterval = 2, now: @escaping @Sendable () -> Date = { Date() }) {
        self.lifetime = lifetime
        self.now = now
    }

    /// The device `token` authenticated as within the lifetime, if any.
    func device(forToken token: String) -> Device? {
        let key = Self.key(token)
        let now = now()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now.timeIntervalSince(entry.checkedAt) < lifetime else {
                entries[key] = nil
                return nil
            }
            return entry.device
        }
    }

    func remember(_ device: Device, token: String) {
        let key = Self.key(token)
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[key] = Entry(device: device, checkedAt: now())
        }
    }

    /// Drops the device's entries: revoked, or its reader changed.
    func forget(deviceId: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.device.id != deviceId } }
    }

    /// The digest itself is the key: hex text of it cost more than the rest of a cached lookup.
    private static func key(_ token: String) -> SHA256.Digest {
        var token = token
        return token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    }
}
