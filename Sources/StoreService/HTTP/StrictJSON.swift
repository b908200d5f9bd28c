import Logging
import Foundation
import HTTPTypes
import Hummingbird

/// The fields an object of the API accepts, taken from its `CodingKeys` so that the list cannot drift.
protocol StrictFields {
    associatedtype Keys: CodingKey & CaseIterable
    /// Nested objects, by the key they sit under, with their own accepted fields.
    static var nestedFields: [String: any StrictFields.Type] { get }
}

extension StrictFields {
    static var nestedFields: [String: any StrictFields.Type] { [:] }
    /// Whether `name` is one of the accepted fields: the synthesized `CodingKeys(stringValue:)` is a plain match,
    /// where building a set of the names would cost more than the decoding on every request.
    static func accepts(_ name: String) -> Bool { Keys(stringValue: name) != nil }
}

/// A request body: strictly decoded, then range-checked by ``validate()``.
protocol StrictBody: Decodable, Sendable, StrictFields {
    /// Range and shape checks the types alone do not express; throws ``APIError/invalidField(_:_:)``.
    func validate() throws
}

extension StrictBody {
    func validate() throws {}
}

/// Strict JSON decoding: Foundation's decoder ignores unknown keys, which would let a misspelt `consent` field
/// silently mean "no consent". Here an unknown key, a wrong type, a missing field or an out-of-range value is a
/// 400 that names the field.
enum StrictJSON {
    /// Made once and never reconfigured (decoding does not mutate it), so every request can share it.
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func decode<Body: StrictBody>(_ type: Body.Type, from request: Request, limit: Int) async throws -> Body {
        guard let contentType = request.headers[.contentType]?.lowercased(),
              contentType.hasPrefix("application/json") else {
            throw APIError(.unsupportedMediaType, "unsupportedMediaType", "send the body as application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "bodyTooLarge", "the request body is larger than \(limit) bytes")
        }
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    static func decode<Body: StrictBody>(_ type: Body.Type, from data: Data) throws -> Body {
        // One parse: the unknown-key check runs inside the decoding (``Checked``) instead of on a JSONSerialization
        // copy of the body first. JSONSerialization is used only on the error paths below, to name the fault.
        let body: Body
        do {
            body = try decoder.decode(Checked<Body>.self, from: data).body
        } catch let refusal as APIError {
            throw refusal
        } catch let error as DecodingError {
            throw refusal(for: error, in: data, as: Body.self)
        }
        try body.validate()
        return body
    }

    /// A body whose keys are checked against its accepted fields, and nested objects' against theirs, before the
    /// body itself is decoded from the same decoder.
    private struct Checked<Body: StrictBody>: Decodable {
        let body: Body

        init(from decoder: any Decoder) throws {
            try StrictJSON.checkKeys(try decoder.container(keyedBy: AnyKey.self), of: Body.self, path: [])
            body = try Body(from: decoder)
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    private static func checkKeys(_ container: KeyedDecodingContainer<AnyKey>, of type: any StrictFields.Type, path: [String]) throws {
        // The smallest unknown name, so that the field named is the same from one run to the next.
        if let unknown = container.allKeys.lazy.map(\.stringValue).filter({ !type.accepts($0) }).min() {
            throw APIError.invalidField((path + [unknown]).joined(separator: "."), "unknown field")
        }
        let nestedFields = type.nestedFields
        guard !nestedFields.isEmpty else { return }
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            guard let nested = nestedFields[key.stringValue],
                  // Not an object: the body's own decoding names the field and the type it wants.
                  let child = try? container.nestedContainer(keyedBy: AnyKey.self, forKey: key) else { continue }
            try checkKeys(child, of: nested, path: path + [key.stringValue])
        }
    }

    /// The 400 for a body that did not decode. Foundation's decoder says "not valid JSON" with no coding path both
    /// for a body that does not parse and for some values (9.5 where an integer is expected), and "expected a
    /// dictionary" at the top for a body that is not an object; JSONSerialization tells those apart.
    private static func refusal<Body: StrictBody>(for error: DecodingError, in data: Data, as type: Body.Type) -> APIError {
        let topLevel: Bool
        switch error {
        case .dataCorrupted(let context): topLevel = context.codingPath.isEmpty
        case .typeMismatch(_, let context): topLevel = context.codingPath.isEmpty
        default: topLevel = false
        }
        guard topLevel else { return apiError(error) }
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return APIError(.badRequest, "malformedJSON", "the body is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            return APIError(.badRequest, "malformedJSON", "the body must be a JSON object")
        }
        if let field = corruptField(in: dictionary, as: Body.self, decoder: decoder) {
            return APIError.invalidField(field, "invalid value")
        }
        return apiError(error)
    }

    /// Foundation's decoder reports some value errors (9.5 where an integer is expected) as "not valid JSON"
    /// with no coding path. The body did parse, so one field is at fault: the first whose removal makes that
    /// error go away.
    private static func corruptField<Body: StrictBody>(in object: [String: Any], as type: Body.Type,
                                                        decoder: JSONDecoder) -> String? {
        for key in object.keys.sorted() {
            var without = object
            without[key] = nil
            guard let data = try? JSONSerialization.data(withJSONObject: without) else { continue }
            do {
                _ = try decoder.decode(Body.self, from: data)
                return key
            } catch let error as DecodingError {
                if case .dataCorrupted(let context) = error, context.codingPath.isEmpty { continue }
                return key
            } catch {
                continue
            }
        }
        return nil
    }

    private static func apiError(_ error: DecodingError) -> APIError {
        func name(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidField(name(context.codingPath + [key]), "required")
        case .valueNotFound(_, let context):
            return .invalidField(name(context.codingPath), "must not be null")
        case .typeMismatch(let type, let context):
            return .invalidField(name(context.codingPath), "expected \(typeName(type))")
        case .dataCorrupted(let context):
            let field = name(context.codingPath)
            return field.isEmpty ? APIError(.badRequest, "malformedJSON", "the body is not valid JSON")
                : .invalidField(field, "invalid value")
        @unknown default:
            return APIError(.badRequest, "malformedJSON", "the body could not be read")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        default: "a \(type)"
        }
    }
}
