import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
