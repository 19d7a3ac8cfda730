import { ConfidentialClientApplication } from '@azure/msal-node';
import { AuthenticationConstants, GovernmentConstants, MsalServiceClientCredentialsFactory, type ServiceClientCredentialsFactory } from 'botframework-connector';
import { CallerIdConstants } from 'botbuilder';
import type { Config, CloudSettings } from '../config';

/** Every setting ConfigurationBotFrameworkAuthentication takes for a cloud, resolved. */
export interface BotCloud {
  ToBotFromChannelOpenIdMetadataUrl: string;
  ToBotFromEmulatorOpenIdMetadataUrl: string;
  ToBotFromChannelTokenIssuer: string;
  ToChannelFromBotLoginUrl: string;
  ToChannelFromBotOAuthScope: string;
  OAuthUrl: string;
  CallerId: string;
  ValidateAuthority: boolean;
}

/**
 * botbuilder takes either ChannelService alone (public or US Government cloud) or, as soon as one
 * URL is set, every URL: the ones left out would be undefined. So the app always hands it the full
 * set, each value the operator's or else the one of the cloud ChannelService names; one URL of
 * your own (a test's loopback server, a private cloud's login) then changes only that URL.
 */
export function botCloud(cloud: CloudSettings | undefined): BotCloud {
  const gov = cloud?.channelService === GovernmentConstants.ChannelService;
  const base = gov ? GovernmentConstants : AuthenticationConstants;
  return {
    ToBotFromChannelOpenIdMetadataUrl: cloud?.channelOpenIdMetadataUrl ?? base.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: cloud?.emulatorOpenIdMetadataUrl ?? base.ToBotFromEmulatorOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: cloud?.channelTokenIssuer ?? base.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: cloud?.loginUrl ?? base.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: cloud?.oAuthScope ?? base.ToChannelFromBotOAuthScope,
    OAuthUrl: cloud?.oAuthUrl ?? base.OAuthUrl,
    CallerId: gov ? CallerIdConstants.USGovChannel : CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: cloud?.validateAuthority ?? true,
  };
}

/**
 * With ValidateAuthority=false, the bot's own token comes from MSAL told to trust the login URL's
 * host as it is (MSAL's `knownAuthorities`). botbuilder's default credentials pass that setting on
 * but MSAL never sees it, so MSAL would first ask login.microsoftonline.com whether a login host of
 * your own is an authority, which a private cloud or an offline network cannot answer. botbuilder's
 * documented way to supply the bot's token is a ServiceClientCredentialsFactory; this is its MSAL
 * one, with the client secret. Undefined: botbuilder's default credentials.
 */
export function credentialsFor(auth: Config['auth'], cloud: BotCloud): ServiceClientCredentialsFactory | undefined {
  if (!auth?.appPassword || cloud.ValidateAuthority) return undefined;
  const authority = cloud.ToChannelFromBotLoginUrl;
  const client = new ConfidentialClientApplication({
    auth: { clientId: auth.appId, clientSecret: auth.appPassword, authority, knownAuthorities: [new URL(authority).host] },
  });
  return new MsalServiceClientCredentialsFactory(auth.appId, client);
}
