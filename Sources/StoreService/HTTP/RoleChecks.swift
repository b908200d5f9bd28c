import Logging
import Hummingbird
import StoreCore

/// The role matrix, one check per column. Routes call exactly one of these before doing anything.
///
/// - kiosk: its own current tap, feedback and sign-up for that tap;
/// - till: staff sign-in; with a staff session: customers, purchases, refunds, redemptions, rewards;
/// - till + manager session: also devices and staff.
extension StoreRequestContext {
    /// Any enrolled device (kiosk or till).
    func requireDevice() throws -> Device {
        guard let device else { throw APIError.unauthenticated("a device token is required (Authorization: Bearer …)") }
        return device
    }

    func requireKiosk() throws -> Device {
        let device = try requireDevice()
        guard device.kind == .kiosk else { throw APIError.forbidden("only a kiosk may do this") }
        return device
    }

    func requireTill() throws -> Device {
        let device = try requireDevice()
        guard device.kind == .till else { throw APIError.forbidden("only a till may do this") }
        return device
    }

    /// A till with a signed-in staff member (either role).
    func requireStaff() throws -> (till: Device, staff: StaffSession) {
        let till = try requireTill()
        guard let staff else {
            throw APIError.unauthenticated("a staff sign-in is required (X-Staff-Session)")
        }
        return (till, staff)
    }

    func requireManager() throws -> (till: Device, staff: StaffSession) {
        let signedIn = try requireStaff()
        guard signedIn.staff.role == .manager else { throw APIError.forbidden("only a manager may do this") }
        return signedIn
    }
}
