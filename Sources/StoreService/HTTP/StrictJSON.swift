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
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw APIError(.badRequest, "malformedJSON", "the body is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw APIError(.badRequest, "malformedJSON", "the body must be a JSON object")
        }
        try checkKeys(dictionary, of: Body.self, path: [])
        let body: Body
        do {
            body = try decoder.decode(Body.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let field = corruptField(in: dictionary, as: Body.self, decoder: decoder) {
                throw APIError.invalidField(field, "invalid value")
            }
            throw apiError(error)
        }
        try body.validate()
        return body
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

    private static func checkKeys(_ object: [String: Any], of type: any StrictFields.Type, path: [String]) throws {
        // Sorted only when one is refused, so that the field named is the same from one run to the next.
        if let unknown = object.keys.filter({ !type.accepts($0) }).min() {
            throw APIError.invalidField((path + [unknown]).joined(separator: "."), "unknown field")
        }
        let nestedFields = type.nestedFields
        guard !nestedFields.isEmpty else { return }
        for key in object.keys.sorted() {
            if let nested = nestedFields[key], let child = object[key] as? [String: Any] {
                try checkKeys(child, of: nested, path: path + [key])
            }
        }
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
