package io.pgmux.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class LeakSamplingTest {
    @Test
    void samplesOneBufferInFourThousandWhenNothingIsSet() {
        Properties system = new Properties();
        LeakSampling.applyDefault(system);
        assertEquals("4096", system.getProperty("io.netty.leakDetection.samplingInterval"));
    }

    @Test
    void keepsTheOperatorsInterval() {
        Properties system = new Properties();
        system.setProperty("io.netty.leakDetection.samplingInterval", "1");
        LeakSampling.applyDefault(system);
        assertEquals("1", system.getProperty("io.netty.leakDetection.samplingInterval"));
    }

    @Test
    void leavesTheIntervalAloneWhenALevelIsChosen() {
        for (String level : new String[] {"io.netty.leakDetection.level", "io.netty.leakDetectionLevel"}) {
            Properties system = new Properties();
            system.setProperty(level, "advanced");
            LeakSampling.applyDefault(system);
            assertNull(system.getProperty("io.netty.leakDetection.samplingInterval"), level);
        }
    }
}
