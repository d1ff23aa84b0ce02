/**
 * Agents (Agrona's duty cycle): {@link io.memfabric.common.agent.Agent} and the
 * {@link io.memfabric.common.agent.AgentRunner} that runs one on a named thread with an idle strategy. Depends on
 * common only.
 */
package io.memfabric.common.agent;
