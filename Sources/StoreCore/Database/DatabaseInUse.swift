#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether any connection, in any process, has a store database open: the question `parcours db restore` must
/// answer before it replaces the file under a running service.
///
/// Why this is reliable: the store always opens its file in WAL mode (GRDB's `DatabasePool`), and in WAL mode
/// SQLite itself holds, for as long as a connection is open, a shared lock on one byte of the `-shm` file (the
/// "DMS" byte, offset 128: `UNIX_SHM_DMS` in SQLite's os_unix.c), which is how a closing connection learns whether
/// it is the last one. So a write lock on that byte can be had exactly when no connection is open, whichever
/// release or process opened it, and the kernel drops the lock of a process that dies, even by `kill -9`: there
/// is no stale lock file to clean up. The probe takes an open-file-description lock (`F_OFD_SETLK`), which
/// conflicts with SQLite's POSIX locks even when they are held by this very process (a plain `F_SETLK` would
/// not see our own process's connections). While the probe holds the lock, a connection that tries to open the
/// file fails with SQLITE_BUSY, so nothing can start on the file during the swap.
final class DatabaseInUseProbe {
    private let descriptor: Int32

    /// Takes the lock, or throws ``StoreError/Code/databaseInUse``. No `-shm` file means no WAL connection is open.
    init?(path: String) throws {
        let shm = path + "-shm"
        let descriptor = open(shm, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw StoreError(.databaseInUse, "cannot tell whether \(path) is in use: opening \(shm) failed (errno \(errno))")
        }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 128
        lock.l_len = 1
        guard fcntl(descriptor, Self.setLockCommand, &lock) == 0 else {
            let error = errno
            close(descriptor)
            if error == EAGAIN || error == EACCES {
                throw StoreError(.databaseInUse, "\(path) is open in another process (the store service, `parcours sync` or another `parcours` command): stop it first (systemctl stop parcours-store), then restore")
            }
            throw StoreError(.databaseInUse, "cannot tell whether \(path) is in use: locking \(shm) failed (errno \(error))")
        }
        self.descriptor = descriptor
    }

    /// Gives the lock back (closing the descriptor drops it).
    func release() { close(descriptor) }

    #if os(Linux)
    /// `F_OFD_SETLK` (Linux 3.15+), spelled out because Glibc's module hides it behind `_GNU_SOURCE`.
    private static let setLockCommand: Int32 = 37
    #else
    private static let setLockCommand: Int32 = F_SETLK
    #endif
}
