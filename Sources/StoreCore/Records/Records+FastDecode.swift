import Foundation
import GRDB

// The rows every tap and sale reads (identifier, profile, visit, ledger entries), decoded column by column.
// GRDB's default `init(row:)` for a `Decodable` record goes through a `Decoder` with a keyed container per row,
// and each column is then found by a case-insensitive name lookup (a lowercased copy and a hash per column):
// together more than the SQLite lookup itself on these paths. A row with exactly the table's columns is a
// `SELECT *`, whose columns come in table order: those are decoded by position (debug builds check the names).
// Any other row is decoded by column name. Values go through the same `DatabaseValueConvertible` conversions as
// the `Decodable` path; the tests read back every field.

struct ColumnLayout {
    let row: Row
    let byPosition: Bool

    init(_ row: Row, _ columns: [String]) {
        self.row = row
        byPosition = row.count == columns.count
        assert(!byPosition || row.columnNames.elementsEqual(columns), "columns \(Array(row.columnNames)) are not \(columns)")
    }

    func callAsFunction<Value: DatabaseValueConvertible>(_ position: Int, _ column: String) throws -> Value {
        byPosition ? try row.decode(Value.self, atIndex: position) : try row.decode(Value.self, forColumn: column)
    }

    func callAsFunction<Value: DatabaseValueConvertible & StatementColumnConvertible>(_ position: Int, _ column: String) throws -> Value {
        byPosition ? try row.decode(Value.self, atIndex: position) : try row.decode(Value.self, forColumn: column)
    }

    func rawEnum<Value: RawRepresentable>(_ position: Int, _ column: String) throws -> Value where Value.RawValue == String {
        let raw: String = try self(position, column)
        guard let value = Value(rawValue: raw) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: [], debugDescription: "column \(column): cannot initialize \(Value.self) from invalid value \(raw)"))
        }
        return value
    }
}

extension Identifier {
    static let columnsInTableOrder = ["id", "kind", "value", "profileId", "publicKey", "verified", "sunCounter", "createdAt"]

    public init(row: Row) throws {
        let column = ColumnLayout(row, Self.columnsInTableOrder)
        self.init(
            id: try column(0, "id"),
            kind: try column.rawEnum(1, "kind"),
            value: try column(2, "value"),
            profileId: try column(3, "profileId"),
            publicKey: try column(4, "publicKey"),
            verified: try column(5, "verified"),
            sunCounter: try column(6, "sunCounter"),
            createdAt: try column(7, "createdAt"))
    }
}

extension Profile {
    static let columnsInTableOrder = ["id", "firstName", "lastName", "email", "phone", "language", "tier", "createdAt",
                                      "updatedAt", "origin", "erasedAt"]

    public init(row: Row) throws {
        let column = ColumnLayout(row, Self.columnsInTableOrder)
        self.init(
            id: try column(0, "id"),
            firstName: try column(1, "firstName"),
            lastName: try column(2, "lastName"),
            email: try column(3, "email"),
            phone: try column(4, "phone"),
            language: try column(5, "language"),
            tier: try column(6, "tier"),
            createdAt: try column(7, "createdAt"),
            updatedAt: try column(8, "updatedAt"),
            origin: try column.rawEnum(9, "origin"),
            erasedAt: try column(10, "erasedAt"))
    }
}

extension Visit {
    static let columnsInTableOrder = ["id", "storeId", "deviceId", "reader", "identifierId", "profileId", "at"]

    public init(row: Row) throws {
        let column = ColumnLayout(row, Self.columnsInTableOrder)
        self.init(
            id: try column(0, "id"),
            storeId: try column(1, "storeId"),
            deviceId: try column(2, "deviceId"),
            reader: try column(3, "reader"),
            identifierId: try column(4, "identifierId"),
            profileId: try column(5, "profileId"),
            at: try column(6, "at"))
    }
}

extension LedgerEntry {
    static let columnsInTableOrder = ["id", "profileId", "delta", "reason", "reference", "at", "expiresAt"]

    public init(row: Row) throws {
        let column = ColumnLayout(row, Self.columnsInTableOrder)
        self.init(
            id: try column(0, "id"),
            profileId: try column(1, "profileId"),
            delta: try column(2, "delta"),
            reason: try column.rawEnum(3, "reason"),
            reference: try column(4, "reference"),
            at: try column(5, "at"),
            expiresAt: try column(6, "expiresAt"))
    }
}
