#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Overwrites memory with zeros through a call the optimiser may not drop as a dead store.
func secureZero(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    #if canImport(Darwin)
    _ = memset_s(base, buffer.count, 0, buffer.count)
    #else
    explicit_bzero(base, buffer.count)
    #endif
}

/// Zeroes the storage `bytes` owns, keeping its length. Other copies sharing it before the call
/// keep their contents: copy-on-write hands this array fresh storage first.
func secureZero(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { secureZero($0) }
}

/// Scratch memory for secrets: allocated once at a fixed size (never grown, so never copied by a
/// reallocation) and zeroed before it is freed, whether `body` returns or throws.
func withSensitiveBuffer<Result>(
    count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) throws -> Result
) rethrows -> Result {
    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count)
    buffer.initialize(repeating: 0)
    defer {
        secureZero(UnsafeMutableRawBufferPointer(buffer))
        buffer.deallocate()
    }
    return try body(buffer)
}
