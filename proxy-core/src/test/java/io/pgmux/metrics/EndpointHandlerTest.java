package io.pgmux.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The endpoint's routing and HTTP manners, over an in-memory channel with Netty's real HTTP codec. */
class EndpointHandlerTest {
    private final TestPools pools = new TestPools("databases: {app: {host: 127.0.0.1, port: 1}}\n");
    private final AtomicReference<ServingState> state = new AtomicReference<>(ServingState.SERVING);
    private final Readiness readiness = new Readiness(pools.pools, state::get);
    private final MetricsRegistry metrics = new MetricsRegistry(pools.config, pools.pools, readiness);
    private final EmbeddedChannel server = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(16384),
            new EndpointHandler(metrics, readiness));

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
        metrics.close();
        pools.close();
    }

    /** One response to the raw request, parsed by Netty's client codec; the caller releases it. */
    private FullHttpResponse exchange(String request) {
        server.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 24));
        try {
            // The client codec decodes a response only after it has seen a request go out.
            client.writeOutbound(new io.netty.handler.codec.http.DefaultFullHttpRequest(
                    io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    request.startsWith("HEAD") ? io.netty.handler.codec.http.HttpMethod.HEAD
                            : io.netty.handler.codec.http.HttpMethod.GET, "/"));
            client.releaseOutbound();
            ByteBuf out;
            while ((out = server.readOutbound()) != null) {
                client.writeInbound(out);
            }
            FullHttpResponse response = client.readInbound();
            if (response == null) {
                throw new AssertionError("no response to " + request);
            }
            return response;
        } finally {
            client.finishAndReleaseAll();
        }
    }

    private static String body(FullHttpResponse response) {
        return response.content().toString(StandardCharsets.UTF_8);
    }

    @Test
    void metricsIsPrometheusText() {
        FullHttpResponse response = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertEquals(200, response.status().code());
            assertEquals(MetricsRegistry.PROMETHEUS_TEXT, response.headers().get(HttpHeaderNames.CONTENT_TYPE));
            assertTrue(body(response).contains("# TYPE pgmux_ready gauge"), body(response));
            assertTrue(server.isOpen(), "HTTP/1.1 keeps the connection");
        } finally {
            response.release();
        }
    }

    @Test
    void headGetsTheHeadersWithoutTheBody() {
        FullHttpResponse response = exchange("HEAD /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertEquals(200, response.status().code());
            assertEquals("17", response.headers().get(HttpHeaderNames.CONTENT_LENGTH), "as GET's {\"status\":\"live\"}");
            assertEquals(0, response.content().readableBytes());
        } finally {
            response.release();
        }
    }

    @Test
    void readinessFollowsTheServingState() {
        FullHttpResponse ready = exchange("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertEquals(200, ready.status().code());
            assertEquals("{\"status\":\"ready\",\"state\":\"serving\",\"databases\":{\"app\":{\"ready\":true,"
                    + "\"upstream\":\"127.0.0.1:1\",\"circuit\":null}}}", body(ready));
        } finally {
            ready.release();
        }
        state.set(ServingState.SHUTTING_DOWN);
        FullHttpResponse draining = exchange("GET /health/ready?verbose=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertEquals(503, draining.status().code());
            assertTrue(body(draining).startsWith("{\"status\":\"not ready\",\"state\":\"shutting_down\""));
        } finally {
            draining.release();
        }
        FullHttpResponse live = exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertEquals(200, live.status().code(), "alive while draining");
        } finally {
            live.release();
        }
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() {
        FullHttpResponse missing = exchange("GET /metricz HTTP/1.1\r\nHost: x\r\n\r\n");
        try {
            assertEquals(404, missing.status().code());
        } finally {
            missing.release();
        }
        FullHttpResponse post = exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
        try {
            assertEquals(405, post.status().code());
            assertEquals("GET, HEAD", post.headers().get(HttpHeaderNames.ALLOW));
        } finally {
            post.release();
        }
    }

    @Test
    void http10AndConnectionCloseAreClosedAfterTheAnswer() {
        FullHttpResponse response = exchange("GET /health/live HTTP/1.0\r\n\r\n");
        response.release();
        assertFalse(server.isOpen());
    }

    @Test
    void garbageGets400AndAClose() {
        FullHttpResponse response = exchange("\u0001\u0002 not http at all\r\n\r\n");
        try {
            assertEquals(400, response.status().code());
        } finally {
            response.release();
        }
        assertFalse(server.isOpen());
    }
}
