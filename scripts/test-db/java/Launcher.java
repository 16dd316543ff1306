// Starts mongo-java-server on a loopback port for chameleon-hooks' tests and examples.
// Usage: java -cp 'lib/*:classes' Launcher [port] [h2-file]
// Prints "LISTENING <port>" once it accepts connections, and stops when stdin closes
// (so a crashed parent never leaves a server behind).
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

public final class Launcher {
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        MongoBackend backend = args.length > 1 ? new H2Backend(args[1]) : new MemoryBackend();
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        System.out.println("LISTENING " + address.getPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            backend.close();
        }));
        // Block until the parent closes our stdin, then exit.
        while (System.in.read() != -1) { /* ignore input */ }
        System.exit(0);
    }
}
