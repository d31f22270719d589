package io.pgmux.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The address column of an access rule: {@code all}, or a network in CIDR form (IPv4 or IPv6). Parsing never
 * resolves a host name; a rule naming a host is refused when the file is loaded, because resolving it would mean
 * DNS on every login (PostgreSQL's own host-name rules do reverse lookups).
 *
 * <p>An IPv4 rule matches only IPv4 clients and an IPv6 rule only IPv6 clients, as in PostgreSQL; the JDK
 * reports an IPv4 client on a dual-stack socket ({@code ::ffff:a.b.c.d}) as IPv4.
 */
public final class HbaAddress {
    private static final HbaAddress ALL = new HbaAddress(null, 0);
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    // Starts with a hex digit or ':' and contains a ':': the JDK then takes it as a literal and never asks DNS.
    private static final Pattern IPV6 = Pattern.compile("(?=.*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    /** The network with its host bits cleared; null for {@code all}. */
    private final byte[] network;
    private final int prefixLength;

    private HbaAddress(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /** Every client address. */
    public static HbaAddress all() {
        return ALL;
    }

    /**
     * The network of {@code address} with {@code prefixLength} leading bits significant; host bits of the address
     * are ignored, as PostgreSQL ignores them.
     */
    public static HbaAddress network(InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        if (prefixLength < 0 || prefixLength > bytes.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + bytes.length * 8);
        }
        return new HbaAddress(mask(bytes, prefixLength), prefixLength);
    }

    /**
     * Parses {@code a.b.c.d/n} or an IPv6 {@code x::y/n}. With {@code bareIsHost}, an address without a prefix
     * means that one host (/32 or /128); otherwise the prefix is required, as in pg_hba.conf.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static HbaAddress parseCidr(String text, boolean bareIsHost) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = parseLiteral(addressText).orElseThrow(() -> new IllegalArgumentException(
                "\"" + addressText + "\" is not an IP address (host names are not supported: write an address"
                        + " with a CIDR suffix like 10.0.0.0/8, or all)"));
        int bits = address.getAddress().length * 8;
        if (slash < 0) {
            if (!bareIsHost) {
                throw new IllegalArgumentException("the address " + addressText + " needs a CIDR suffix (/" + bits
                        + " for this host alone) or a netmask column");
            }
            return network(address, bits);
        }
        String prefix = text.substring(slash + 1);
        if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > bits) {
            throw new IllegalArgumentException("\"/" + prefix + "\" is not a CIDR prefix length from 0 to " + bits);
        }
        return network(address, Integer.parseInt(prefix));
    }

    /**
     * The network of an address and a netmask written as an address ({@code 255.255.0.0}), pg_hba.conf's
     * two-column form. The mask must be contiguous and of the address's family.
     */
    public static HbaAddress withMask(String addressText, String maskText) {
        InetAddress address = parseLiteral(addressText).orElseThrow(() -> new IllegalArgumentException(
                "\"" + addressText + "\" is not an IP address"));
        InetAddress mask = parseLiteral(maskText).orElseThrow(() -> new IllegalArgumentException(
                "\"" + maskText + "\" is not an IP netmask"));
        byte[] maskBytes = mask.getAddress();
        if (maskBytes.length != address.getAddress().length) {
            throw new IllegalArgumentException("the netmask " + maskText + " is not of the same IP version as "
                    + addressText);
        }
        int prefix = 0;
        while (prefix < maskBytes.length * 8 && bit(maskBytes, prefix)) {
            prefix++;
        }
        for (int i = prefix; i < maskBytes.length * 8; i++) {
            if (bit(maskBytes, i)) {
                throw new IllegalArgumentException("the netmask " + maskText + " is not contiguous; write the network"
                        + " in CIDR form");
            }
        }
        return network(address, prefix);
    }

    /**
     * An IP address written as a literal, never looked up: a dotted IPv4 quad, or an IPv6 address (the JDK parses
     * any text containing ':' as an IPv6 literal without asking DNS). Empty for anything else, including host
     * names and IPv6 zone ids.
     */
    static Optional<InetAddress> parseLiteral(String text) {
        try {
            if (IPV4.matcher(text).matches()) {
                String[] parts = text.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int value = Integer.parseInt(parts[i]);
                    if (value > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) value;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            if (IPV6.matcher(text).matches()) {
                return Optional.of(InetAddress.getByName(text));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public boolean isAll() {
        return network == null;
    }

    /** Whether a client at {@code client} is inside this network. */
    public boolean matches(InetAddress client) {
        Objects.requireNonNull(client, "client");
        if (network == null) {
            return true;
        }
        byte[] bytes = client.getAddress();
        return bytes.length == network.length && Arrays.equals(mask(bytes, prefixLength), network);
    }

    private static byte[] mask(byte[] address, int prefixLength) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            out[i] &= (byte) (0xFF << (8 - keep));
        }
        return out;
    }

    private static boolean bit(byte[] bytes, int index) {
        return (bytes[index / 8] & (0x80 >>> (index % 8))) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HbaAddress other && prefixLength == other.prefixLength
                && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** {@code all}, or the network in CIDR form. */
    @Override
    public String toString() {
        if (network == null) {
            return "all";
        }
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a stored network has an impossible length", e);
        }
    }
}
