#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import VNetModel
import VNetSystem

/// The socket ADDs wait on (`GrowthRequest.socketPath`): one JSON line in, the keeper's answer out. Only
/// the owner of the state directory can connect (the socket is made 0600, like the state it guards).
public enum GrowthServer {
    public static func serve(path: String, keeper: ReservationKeeper, group: any EventLoopGroup) async throws {
        let server = try await ServerBootstrap(group: group)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        chmod(path, 0o600)
        try await withThrowingDiscardingTaskGroup { tasks in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    tasks.addTask { try? await answer(connection, keeper: keeper) }
                }
            }
        }
    }

    private static func answer(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, keeper: ReservationKeeper) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var line: [UInt8] = []
            for try await chunk in inbound {
                line.append(contentsOf: chunk.readableBytesView)
                if line.contains(UInt8(ascii: "\n")) || line.count > 4096 { break }
            }
            let text = Array(line.prefix { $0 != UInt8(ascii: "\n") })
            let reply: GrowthAnswer
            if let request = GrowthRequest(json: text) {
                reply = await keeper.requestRoom(request)
            } else {
                reply = GrowthAnswer(reserved: 0, refusal: "vnetd could not read the request")
            }
            try await outbound.write(ByteBuffer(bytes: reply.json + [UInt8(ascii: "\n")]))
        }
    }
}
