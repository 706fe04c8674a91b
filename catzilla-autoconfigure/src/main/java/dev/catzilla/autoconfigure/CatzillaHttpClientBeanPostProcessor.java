package dev.catzilla.autoconfigure;

import reactor.netty.http.client.HttpClient;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Sets the active allocator on every {@code reactor.netty.http.client.HttpClient} bean
 * the application declares (the client is immutable, so the bean becomes the configured
 * copy). A bean that already has an allocator keeps it. Spring Cloud Gateway's proxy
 * client is left to {@link CatzillaGatewayHttpClientCustomizer} and its switch.
 */
public final class CatzillaHttpClientBeanPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	static final String GATEWAY_HTTP_CLIENT_FACTORY = "org.springframework.cloud.gateway.config.HttpClientFactory";

	private final ObjectProvider<CatzillaAllocator> outcome;

	private final ObjectProvider<CatzillaWiring> wiring;

	private ConfigurableListableBeanFactory beanFactory;

	public CatzillaHttpClientBeanPostProcessor(ObjectProvider<CatzillaAllocator> outcome,
			ObjectProvider<CatzillaWiring> wiring) {
		this.outcome = outcome;
		this.wiring = wiring;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		CatzillaAllocator outcome;
		if (bean instanceof HttpClient client && !isGatewayProxyClient(beanName)
				&& (outcome = this.outcome.getIfAvailable()) != null) {
			return ReactorNettyAllocators.apply(client, outcome, this.wiring.getObject(),
					CatzillaTarget.HTTP_CLIENT_BEAN);
		}
		return bean;
	}

	private boolean isGatewayProxyClient(String beanName) {
		if (this.beanFactory == null || !this.beanFactory.containsBean(beanName)
				|| !this.beanFactory.isFactoryBean(beanName)) {
			return false;
		}
		Class<?> factoryType = this.beanFactory.getType("&" + beanName);
		for (Class<?> type = factoryType; type != null; type = type.getSuperclass()) {
			if (type.getName().equals(GATEWAY_HTTP_CLIENT_FACTORY)) {
				return true;
			}
		}
		return false;
	}

}
