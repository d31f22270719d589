package io.pgmux.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the endpoint's requests: {@code /metrics}, {@code /health/live}, {@code /health/ready}; 404 for any other
 * path, 405 (with {@code Allow: GET, HEAD}) for any other method, 400 for a request the codec could not parse.
 * HEAD gets the headers GET would, without the body. Keeps the connection open when the client asks for it.
 * Shared by every connection: it keeps no per-connection state.
 */
@ChannelHandler.Sharable
final class EndpointHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(EndpointHandler.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";

    private final MetricsRegistry metrics;
    private final Readiness readiness;

    EndpointHandler(MetricsRegistry metrics, Readiness readiness) {
        this.metrics = metrics;
        this.readiness = readiness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, request, text(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n"), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
        if (!known) {
            respond(ctx, request, text(ctx, HttpResponseStatus.NOT_FOUND,
                    "not found; try /metrics, /health/live or /health/ready\n"), true);
            return;
        }
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    method + " is not allowed here; use GET or HEAD\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            respond(ctx, request, response, true);
            return;
        }
        FullHttpResponse response = switch (path) {
            case "/metrics" -> scrape(ctx, request);
            case "/health/live" -> body(ctx, HttpResponseStatus.OK, JSON, "{\"status\":\"live\"}");
            default -> ready(ctx);
        };
        respond(ctx, request, response, true);
    }

    private FullHttpResponse scrape(ChannelHandlerContext ctx, FullHttpRequest request) {
        ByteBuf content = ctx.alloc().buffer(16 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(content)) {
            String contentType = metrics.scrape(request.headers().get(HttpHeaderNames.ACCEPT), out);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            return response;
        } catch (IOException | RuntimeException e) {
            content.release();
            log.warn("a metrics scrape failed", e);
            return text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "scrape failed: " + e + "\n");
        }
    }

    private FullHttpResponse ready(ChannelHandlerContext ctx) {
        Readiness.Report report = readiness.check();
        return body(ctx, report.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
                report.toJson());
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        return body(ctx, status, TEXT, body);
    }

    private static FullHttpResponse body(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType,
                                         String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                ByteBufUtil.writeUtf8(ctx.alloc(), body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return response;
    }

    /** Sends the response (without its body for HEAD), then closes unless both sides keep the connection alive. */
    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
                                boolean mayKeepAlive) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (request.method().equals(HttpMethod.HEAD)) {
            response.content().clear();
        }
        boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A peer that resets or sends garbage below HTTP: nothing to answer; the connection is of no further use.
        log.debug("metrics connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
