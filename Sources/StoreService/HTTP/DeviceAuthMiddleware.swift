import Logging
import Foundation
import HTTPTypes
import Hummingbird
import StoreCore

extension HTTPField.Name {
    /// The staff session token a till sends after a PIN sign-in.
    static let staffSession = Self("X-Staff-Session")!
}

/// Authenticates the device behind every `/v1` request, and the staff session riding on it.
///
/// The token comes from `Authorization: Bearer …`. Browsers cannot set headers on a WebSocket, so the live-taps
/// router also accepts `?token=` (``acceptsQueryToken``); the plain API never does, so that tokens do not end up
/// in URLs that proxies and browser histories keep.
struct DeviceAuthMiddleware: RouterMiddleware {
    typealias Context = StoreRequestContext

    let database: StoreDatabase
    let sessions: StaffSessions
    let tokens: DeviceTokenCache
    var acceptsQueryToken = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = bearerToken(request) else {
            throw APIError.unauthenticated("a device token is required (Authorization: Bearer …)")
        }
        var context = context
        let device: Device
        do {
            if let known = tokens.device(forToken: token) {
                device = known
            } else {
                device = try await database.authenticateDevice(token: token)
                tokens.remember(device, token: token)
            }
        } catch let error as StoreError where error.code == .deviceRevoked {
            throw APIError(.unauthorized, "deviceRevoked", "this device was revoked: enrol it again")
        } catch let error as StoreError where error.code == .unknownDevice {
            throw APIError.unauthenticated("this device token is not known")
        }
        context.device = device
        context.logger[metadataKey: "device"] = "\(device.id)"
        if let staffToken = request.headers[.staffSession] {
            switch await sessions.session(token: staffToken, deviceId: device.id) {
            case .valid(let session):
                context.staff = session
                context.logger[metadataKey: "staff"] = "\(session.staffId)"
            case .expired:
                throw APIError(.unauthorized, "staffSessionExpired", "the staff session expired: sign in again")
            case .unknown:
                throw APIError(.unauthorized, "staffSessionUnknown", "the staff session is not known: sign in again")
            case .otherDevice:
                throw APIError.forbidden("this staff session was opened on another till")
            }
        }
        return try await next(request, context)
    }

    private func bearerToken(_ request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            let token = String(parts[1]).trimmed(.whitespaces)
            return token.isEmpty ? nil : token
        }
        if acceptsQueryToken, let token = request.uri.queryParameters["token"], !token.isEmpty {
            return String(token)
        }
        return nil
    }
}
